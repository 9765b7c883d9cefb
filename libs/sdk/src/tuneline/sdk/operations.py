"""Operations every service offers to admins: its dead letters (`/admin/deadletters`)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tuneline.sdk._base import Model, Resource, parse, parse_list


class DeadLetter(Model):
    id: UUID
    created_at: datetime
    original_topic: str
    consumer_group: str
    reason: str
    key: str | None = None
    partition: int | None = None
    offset: int | None = None
    payload_bytes: int = 0
    replayed_at: datetime | None = None
    replay_count: int = 0


class OperationsClient(Resource):
    """One service's operations API (admin role)."""

    def dead_letters(self, *, pending: bool = False, topic: str | None = None, limit: int = 100) -> list[DeadLetter]:
        params: dict[str, object] = {"limit": limit}
        if pending:
            params["replayed"] = "false"
        if topic:
            params["topic"] = topic
        return parse_list(DeadLetter, self.http.request("GET", "/admin/deadletters", params=params))

    def replay_dead_letter(self, letter_id: UUID | str) -> DeadLetter:
        """Re-publish one dead letter to its original topic (consumers that had it drop the repeat)."""
        return parse(DeadLetter, self.http.request("POST", f"/admin/deadletters/{letter_id}/replay", retry=False))

    def replay_pending_dead_letters(self, *, topic: str | None = None) -> list[UUID]:
        body = self.http.request(
            "POST", "/admin/deadletters/replay", params={"topic": topic} if topic else None, retry=False
        )
        return [UUID(x) for x in body["replayed"]]
