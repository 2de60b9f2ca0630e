"""Durable background work after a call: the queue (pgqueuer on the API's PostgreSQL), the
outgoing webhooks' outbox and deliveries, and the sweeper of sessions that never ended."""
