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


def unsure_near_one_checkpoint(*, label: str, channel: str) -> bytes:
    """A segmenter checkpoint with weights set by hand (no training, same answer every time):
    every row alone decides; the model is sure of the background where the channel is near 0,
    sure of ``label`` where it is 3 or more, and unsure (confidence 0.5) where it is 1."""
    import io

    import torch

    from autolabel.segmenter import CheckpointContents, NetworkParams, TimeSeriesLSTM
    from autolabel.segmenter.checkpoint import BACKGROUND, write_checkpoint

    params = NetworkParams(input_size=1, output_size=2, fc_size=3, hidden_size=1, num_layers=1)
    model = TimeSeriesLSTM(params)
    state = {key: torch.zeros_like(value) for key, value in model.state_dict().items()}
    state["fc_input.weight"][0, 0] = 1.0  # features: relu([x, 1, 0]), layer-normed:
    state["fc_input.bias"][1] = 1.0  # the first one is 0.707 at x = 1
    state["input_norm.weight"][:] = 1.0
    for suffix in ("", "_reverse"):  # gates i, f, g, o: the cell is tanh(4 (n0 - 0.707))
        state[f"lstm.weight_ih_l0{suffix}"][2, 0] = 4.0
        state[f"lstm.bias_ih_l0{suffix}"][:] = torch.tensor([20.0, -20.0, -4.0 * 0.7071, 20.0])
    state["fc_output.weight"][1, :] = 4.0
    contents = CheckpointContents(
        params=params,
        state_dict=state,
        class_names=(BACKGROUND, label),
        channels=(channel,),
        label_kinds={label: "range"},
    )
    buffer = io.BytesIO()
    write_checkpoint(contents, buffer)
    return buffer.getvalue()
