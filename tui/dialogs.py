"""Small screens over the console: the confirmation before an action, the TOTP prompt, the keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

DEFAULT_REASON = "by supervisor via console"


class ActionDialog(ModalScreen[str | None]):
    """Asks before an action that changes state; dismissed with the reason, or None to cancel.

    Without `ask_reason` the keys answer (y yes, n or Escape no) and the reason field holds a
    default the supervisor may Tab into and edit. With `ask_reason` the field has the focus and
    Enter sends (for denials and rejections, whose reason the requester reads).
    """

    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("y", "answer(True)", "yes"),
        Binding("n", "answer(False)", "no"),
        Binding("escape", "answer(False)", "cancel"),
    ]

    def __init__(self, question: str, detail: str = "", *, reason: str = DEFAULT_REASON,
                 ask_reason: bool = False) -> None:
        super().__init__()
        self.question, self.detail = question, detail
        self.reason, self.ask_reason = reason, ask_reason

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question", markup=False)
            if self.detail:
                yield Static(self.detail, id="detail", markup=False)
            yield Input(self.reason, placeholder="reason (goes to the audit trail)", id="reason")
            hint = ("enter send · esc cancel" if self.ask_reason
                    else "y yes · n no · tab edit the reason, enter send")
            yield Static(hint, id="hint")

    def on_mount(self) -> None:
        if self.ask_reason:
            self.query_one("#reason", Input).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(self.query_one("#reason", Input).value.strip() if yes else None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())


class CodeDialog(ModalScreen[str | None]):
    """The TOTP code for the SSH door, masked; dismissed with the code or None (Escape)."""

    BINDINGS = [Binding("escape", "cancel", "quit")]

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.prompt, id="question")
            yield Input(password=True, restrict=r"[0-9]*", max_length=8, placeholder="123456",
                        id="code")
            yield Static("enter connect · esc quit", id="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value:
            self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


HELP = """\
[b]Views[/b]
  1 sessions   2 requests   3 held commands   4 audit   5 replay

[b]Sessions[/b]
  enter  watch live (esc back) · arrows scroll · f follow cursor
  k      kill it          r  revoke its ticket          l  lock its user

[b]Requests[/b]      a  approve      d  deny (asks a reason)
[b]Held commands[/b] c  confirm      x  reject (asks a reason)
[b]Audit[/b]         /  filter by type as you type; enter asks the bastion for
              that type (a prefix ending in "." matches a family: session.)
[b]Replay[/b]        enter  play     space  pause     + -  speed     ← →  5 s

Every action asks first (y) and sends a reason, which goes into the audit trail.
?  this help      q  quit"""


class HelpScreen(ModalScreen[None]):
    """The keys, on `?`; any of Escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape", "close", "close"),
        Binding("q", "close", "close", show=False),
        Binding("question_mark", "close", "close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help"):
            yield Static(HELP, id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
