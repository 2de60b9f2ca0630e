"""The one error the Twilio and LiveKit clients raise, so provisioning steps handle both
services alike: retryable (429, 5xx, timeouts, refused connections) or refused (other 4xx,
carrying the service's own message for the condition)."""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(
        self, service: str, status: int | None, message: str, code: int | None = None
    ) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        self.status = status
        self.message = message
        #: The service's own error code, when it has one (Twilio's 21422: number not available).
        self.code = code

    @property
    def retryable(self) -> bool:
        """Whether waiting and trying again can help: throttling, server errors and
        transport failures (no status at all)."""
        return self.status is None or self.status == 429 or self.status >= 500
