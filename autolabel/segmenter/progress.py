"""Training progress a person can follow: named phases and a share done that never goes back.

Training has up to three phases: "preparing" (checks, split, windows), "validating" (epochs on
the training recordings, each scored on the validation recordings, until the early stop) and
"final_fit" (on every recording: a fresh network for the best epoch count, or the validated
network trained on for a share of it); with nothing to validate on, "training" (every epoch)
instead of the last two. How long the validation runs is only known when it stops, so the
share done is planned for the longest case (`train_epochs` validated epochs, then the most
final-fit epochs that can follow them) and re-planned, forwards only,
when the early stop has chosen the final fit's length; `message` then says why it moved.
Final-fit epochs weigh more than validated ones in the plan: they train on more rows.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

PREPARING, VALIDATING, FINAL_FIT = "preparing", "validating", "final_fit"
TRAINING = "training"  # epochs without validation data (nothing to hold out)
# a report within an epoch at most this often (one at every epoch end regardless)
REPORT_INTERVAL_S = 1.0


@dataclass(frozen=True)
class TrainingProgress:
    """One report. `epoch`: epochs finished in this phase, of `phase_epochs` (the most it may
    run when validating, the exact count in the final fit); `batch` of `batches`: the running
    epoch's position; `loss`/`metrics`: set when an epoch has just ended (`epoch_end`);
    `global_epoch`: epochs finished over all phases (the curves' x axis)."""

    phase: str
    fraction: float
    message: str
    epoch: int = 0
    phase_epochs: int = 0
    batch: int = 0
    batches: int = 0
    best_epoch: int = 0
    global_epoch: int = 0
    epoch_end: bool = False
    loss: float | None = None
    metrics: dict = field(default_factory=dict)


ProgressCallback = Callable[[TrainingProgress], None]


class ProgressPlan:
    """Turns the loop's position into TrainingProgress reports (see the module docstring)."""

    def __init__(self, callback: ProgressCallback | None, max_epochs: int):
        self.callback = callback
        self.max_epochs = max_epochs
        self.final_fit_weight = None  # a final-fit epoch's cost in validated epochs
        self.phase = PREPARING
        self.phase_epochs = 0
        self.done = 0.0  # work of the finished epochs, in validated-epoch units
        self.total = float(max_epochs)
        self.best_epoch = 0
        self.global_epoch = 0
        self.note = ""
        self.fraction = 0.0
        self._last_report = float("-inf")

    def plan_final_fit(self, weight: float | None, share: float = 1.0) -> None:
        """A final fit follows validation, each of its epochs costing `weight` validated
        epochs (None: no final fit), and it runs at most `share` of the validated epochs."""
        self.final_fit_weight = weight
        self.total = self.max_epochs * (1 + (weight or 0) * share)

    def preparing(self, message: str) -> None:
        self._send(TrainingProgress(PREPARING, 0.0, message))

    def start_phase(self, phase: str, epochs: int, note: str = "") -> None:
        """A phase begins; the final fit's length is exact, so the plan is re-made (forwards:
        it is never longer than planned) and reported with `note`, the reason."""
        self.phase, self.phase_epochs, self.note = phase, epochs, note
        if phase == FINAL_FIT:
            self.total = self.done + epochs * self._weight()
            self._send(self._report(0, self.done))

    def epoch_end(self, epoch, loss: float, metrics: dict, best_epoch: int, last: bool) -> None:
        """An epoch ended; `last`: the phase ends with it (early stop or its last epoch)."""
        self.done += self._weight()
        self.global_epoch += 1
        if self.phase == VALIDATING:
            self.best_epoch = best_epoch
        if last and not (self.phase == VALIDATING and self.final_fit_weight):
            self.total = self.done  # nothing follows
        report = self._report(epoch, self.done, epoch_end=True, loss=loss, metrics=metrics)
        self._send(report)

    def batch(self, epoch: int, batch: int, batches: int) -> None:
        now = time.monotonic()
        if now - self._last_report < REPORT_INTERVAL_S:
            return
        position = self.done + self._weight() * batch / max(1, batches)
        self._send(self._report(epoch - 1, position, batch=batch, batches=batches))

    def _weight(self) -> float:
        return self.final_fit_weight if self.phase == FINAL_FIT else 1.0

    def _report(self, epoch: int, position: float, **extra) -> TrainingProgress:
        self.fraction = max(self.fraction, min(1.0, position / max(self.total, 1e-9)))
        return TrainingProgress(
            self.phase,
            self.fraction,
            self._message(epoch),
            epoch=epoch,
            phase_epochs=self.phase_epochs,
            best_epoch=self.best_epoch,
            global_epoch=self.global_epoch,
            **extra,
        )

    def _message(self, epoch: int) -> str:
        if self.phase == VALIDATING:
            best = f" — best epoch {self.best_epoch}" if self.best_epoch else ""
            return f"validating {epoch}/{self.phase_epochs}{best}"
        if self.phase == TRAINING:
            return f"training {epoch}/{self.phase_epochs} (no recording to validate on)"
        text = f"final fit {epoch}/{self.phase_epochs}"
        return f"{text} ({self.note})" if self.note else text

    def _send(self, report: TrainingProgress) -> None:
        self._last_report = time.monotonic()
        if self.callback is not None:
            self.callback(report)
