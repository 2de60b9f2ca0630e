"""A thin async client for the LiveKit SIP objects a phone line needs, over ``livekit-api``.

Each reconcile builds a :class:`LiveKitClient` for the credentials that apply to its
PhoneNumber, on the operator's one shared ``aiohttp`` session (created at startup). Errors
become :class:`ServiceError`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import aiohttp
from livekit import api
from livekit.protocol import sip as proto_sip

from arkenos_operator.phonenumber.errors import ServiceError

SERVICE = "LiveKit"
T = TypeVar("T")


class LiveKitClient:
    def __init__(self, url: str, api_key: str, api_secret: str, session: aiohttp.ClientSession):
        # failover is for LiveKit Cloud regions; retries are the reconcile loop's job.
        self._api = api.LiveKitAPI(url, api_key, api_secret, session=session, failover=False)

    @staticmethod
    async def _call(request: Awaitable[T]) -> T:
        try:
            return await request
        except api.TwirpError as error:
            raise ServiceError(SERVICE, error.status, error.message or error.code) from error
        except (TimeoutError, aiohttp.ClientError) as error:
            raise ServiceError(SERVICE, None, f"request failed: {error!r}") from error

    # --- trunks -------------------------------------------------------------------------------

    async def inbound_trunks(self, number: str) -> list[proto_sip.SIPInboundTrunkInfo]:
        request = proto_sip.ListSIPInboundTrunkRequest(numbers=[number])
        return list((await self._call(self._api.sip.list_inbound_trunk(request))).items)

    async def create_inbound_trunk(
        self, trunk: proto_sip.SIPInboundTrunkInfo
    ) -> proto_sip.SIPInboundTrunkInfo:
        request = proto_sip.CreateSIPInboundTrunkRequest(trunk=trunk)
        return await self._call(self._api.sip.create_inbound_trunk(request))

    async def replace_inbound_trunk(
        self, trunk_id: str, trunk: proto_sip.SIPInboundTrunkInfo
    ) -> proto_sip.SIPInboundTrunkInfo:
        return await self._call(self._api.sip.update_inbound_trunk(trunk_id, trunk))

    async def outbound_trunks(self, number: str) -> list[proto_sip.SIPOutboundTrunkInfo]:
        request = proto_sip.ListSIPOutboundTrunkRequest(numbers=[number])
        return list((await self._call(self._api.sip.list_outbound_trunk(request))).items)

    async def create_outbound_trunk(
        self, trunk: proto_sip.SIPOutboundTrunkInfo
    ) -> proto_sip.SIPOutboundTrunkInfo:
        request = proto_sip.CreateSIPOutboundTrunkRequest(trunk=trunk)
        return await self._call(self._api.sip.create_outbound_trunk(request))

    async def delete_trunk(self, trunk_id: str) -> None:
        """Delete a trunk; one that is already gone is fine."""
        try:
            await self._call(
                self._api.sip.delete_trunk(proto_sip.DeleteSIPTrunkRequest(sip_trunk_id=trunk_id))
            )
        except ServiceError as error:
            if error.status != 404:
                raise

    # --- dispatch rules -----------------------------------------------------------------------

    async def dispatch_rules(self, trunk_id: str) -> list[proto_sip.SIPDispatchRuleInfo]:
        request = proto_sip.ListSIPDispatchRuleRequest(trunk_ids=[trunk_id])
        return list((await self._call(self._api.sip.list_dispatch_rule(request))).items)

    async def create_dispatch_rule(
        self, rule: proto_sip.SIPDispatchRuleInfo
    ) -> proto_sip.SIPDispatchRuleInfo:
        request = proto_sip.CreateSIPDispatchRuleRequest(dispatch_rule=rule)
        return await self._call(self._api.sip.create_dispatch_rule(request))

    async def replace_dispatch_rule(
        self, rule_id: str, rule: proto_sip.SIPDispatchRuleInfo
    ) -> proto_sip.SIPDispatchRuleInfo:
        return await self._call(self._api.sip.update_dispatch_rule(rule_id, rule))

    async def delete_dispatch_rule(self, rule_id: str) -> None:
        """Delete a dispatch rule; one that is already gone is fine."""
        request = proto_sip.DeleteSIPDispatchRuleRequest(sip_dispatch_rule_id=rule_id)
        try:
            await self._call(self._api.sip.delete_dispatch_rule(request))
        except ServiceError as error:
            if error.status != 404:
                raise
