import factory
from django.contrib.auth import get_user_model

from labeler.models import Project, ProjectMembership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-pass-123")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Project {n}")
    labels = factory.LazyFunction(
        lambda: [
            {"name": "Walk", "color": "#1f77b4", "hotkey": "1", "kind": "range"},
            {"name": "Run", "color": "#ff7f0e", "hotkey": "2", "kind": "both"},
            {"name": "Fall", "color": "#d62728", "hotkey": "3", "kind": "instant"},
        ]
    )
    label_config = ""

    @factory.post_generation
    def owner(self, create, extracted, **kwargs):
        if create and extracted is not None:
            ProjectMembership.objects.create(project=self, user=extracted, role="owner")


def numeric_csv(rows=200, rate_hz=10) -> bytes:
    """A CSV with a numeric time column (rate_hz rows per second) and two channels."""
    lines = ["time,acc_x,acc_y"]
    lines += [f"{i / rate_hz:.1f},{(i % 7) * 0.5:.2f},{(i % 3) - 1}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()
