"""The network: the LSTM segmenter of the Label Studio example, same layers and state-dict keys.

Only the architecture lives here; the loss, the optimiser and the training loop are in train.py.
"""

from dataclasses import asdict, dataclass

import torch
from torch import nn

MODEL_CLASS = "TimeSeriesLSTM"


@dataclass(frozen=True)
class NetworkParams:
    """The checkpoint's `model_params`, with the names and meaning the example gives them."""

    input_size: int
    output_size: int
    fc_size: int = 128
    hidden_size: int = 64
    num_layers: int = 2
    sequence_size: int = 50
    learning_rate: float = 1e-3
    weight_decay: float = 1e-5
    dropout_rate: float = 0.3

    def as_dict(self) -> dict:
        return asdict(self)


class TimeSeriesLSTM(nn.Module):
    """Linear+ReLU, LayerNorm, dropout, bidirectional LSTM, dropout, Linear over the classes.

    Input (batch, rows, channels) -> logits (batch, rows, classes).
    """

    def __init__(self, params: NetworkParams):
        super().__init__()
        self.params = params
        self.fc_input = nn.Linear(params.input_size, params.fc_size)
        self.input_norm = nn.LayerNorm(params.fc_size)
        self.input_dropout = nn.Dropout(params.dropout_rate)
        self.lstm = nn.LSTM(
            params.fc_size,
            params.hidden_size,
            params.num_layers,
            batch_first=True,
            bidirectional=True,
            dropout=params.dropout_rate if params.num_layers > 1 else 0.0,
        )
        self.output_dropout = nn.Dropout(params.dropout_rate)
        self.fc_output = nn.Linear(2 * params.hidden_size, params.output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.input_dropout(self.input_norm(torch.relu(self.fc_input(x))))
        x, _ = self.lstm(x)
        return self.fc_output(self.output_dropout(x))


def expected_shapes(params: NetworkParams) -> dict[str, tuple[int, ...]]:
    """State-dict key -> shape for a network built from `params` (for checkpoint validation)."""
    with torch.device("meta"):  # shapes only: nothing is allocated
        model = TimeSeriesLSTM(params)
    return {key: tuple(value.shape) for key, value in model.state_dict().items()}
