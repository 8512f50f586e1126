"""API tokens (django-rest-knox): stored as hashes, expire after API_TOKEN_TTL_DAYS, revoked one
at a time by their holder and all together when the password changes."""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from knox.models import AuthToken


def token_issue(*, user) -> tuple[str, AuthToken]:
    """A new token for the user: the key (shown once, never stored) and its row."""
    row, key = AuthToken.objects.create(user=user)
    return key, row


def token_revoke(*, token: AuthToken) -> None:
    token.delete()


def tokens_revoke_all(*, user) -> int:
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="tokens-on-password-change")
def _revoke_on_password_change(sender, instance, created, **kwargs):
    """`set_password` leaves the raw password in `_password` until the save (a hash upgrade on
    login clears it first: not a change); an unusable password ends every token too."""
    if created:
        return
    if getattr(instance, "_password", None) is not None or not instance.has_usable_password():
        tokens_revoke_all(user=instance)
