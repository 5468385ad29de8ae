"""What a handler knows about the call it is answering."""
from dataclasses import dataclass, field

from ..service import Emulator


@dataclass
class Context:
    emu: Emulator
    operation: str
    request_id: str
    region: str
    account_id: str
    source_ip: str = "127.0.0.1"
    headers: dict = field(default_factory=dict)
    signed: bool = False

    @property
    def store(self):
        return self.emu.store

    @property
    def settings(self):
        return self.emu.settings

    def now(self) -> float:
        return self.emu.clock.now()
