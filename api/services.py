"""Writes of the api app: issuing and revoking a client's token, recording a call."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from api.models import ApiCall, ApiClient
from api.tokens import new_token
from trainees.text import without_control


@transaction.atomic
def client_token_issue(*, client):
    """Give `client` a new token and return it: the only time it is seen. The old token stops
    working; a revoked client works again with the new one. `client` may be unsaved (the
    admin's creation)."""
    token, prefix, digest = new_token()
    client.token_prefix, client.token_hash, client.revoked_at = prefix, digest, None
    client.save()
    return token


def client_revoke(*, client):
    """Revoke `client`'s token: every call with it is then 401. Revoking twice keeps the first
    time."""
    ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def client_account(*, client):
    """The account the history of `client`'s writes names: created at its first write, with no
    password and inactive, so that nobody signs in with it."""
    if client.user_id is not None:
        return client.user
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.user_id is None:
            user = get_user_model()(username=f"api-client-{client.pk}", is_active=False)
            user.set_unusable_password()
            user.save()
            client.user = user
            client.save(update_fields=["user"])
    return client.user


def call_record(*, client, method, path, status, duration_ms):
    """Record one API call, and when `client` last called. The method and the path are cut
    to their columns: gunicorn takes any method name of up to 20 letters (nginx passes it on),
    and a longer one than the column was a database error, a 500, on PostgreSQL."""
    now = timezone.now()
    ApiCall.objects.create(
        client=client,
        method=method[: ApiCall._meta.get_field("method").max_length],
        # Without control characters: /api/v1/programs/%00/ is a NUL in the path, which
        # PostgreSQL's text refuses (a 500 at recording the call, for any client).
        path=without_control(path)[: ApiCall._meta.get_field("path").max_length],
        status=status,
        duration_ms=duration_ms,
        at=now,
    )
    if client is not None:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
