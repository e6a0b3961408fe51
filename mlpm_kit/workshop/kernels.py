"""Voila's kernel manager for the workshop: its first kernel is the one `first_kernel` started.

`server.voila_command` names `AdoptingKernelManager` as the kernel manager class. When Voila
starts a kernel and the first kernel is still waiting, the manager takes its connection file
and process instead of launching a new one; from then on (shutdown, culling, restarts) it is
Voila's like any other. Every other kernel is launched as usual.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

from mlpm_kit.workshop.first_kernel import KERNEL_NAME, FirstKernel, take


class AdoptingProvisioner(LocalProvisioner):
    """The local provisioner, which adopts `first` at its first launch instead of starting one."""

    def __init__(self, first: FirstKernel, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.first: FirstKernel | None = first

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        if self.first is not None:
            # The kernel's ports and key, not new ones (nothing taken from the port cache).
            self.parent.load_connection_file(str(self.first.connection_file))
            self.ports_cached = True
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        if self.first is None:  # a restart: a new process, as usual
            return await super().launch_kernel(cmd, **kwargs)
        self.process = self.first.process
        self.pid = self.process.pid
        self.pgid = os.getpgid(self.pid)
        self.cwd = kwargs.get("cwd")
        self.first = None
        return self.connection_info


class AdoptingKernelManager(ServerKernelManager):
    """Jupyter server's kernel manager, giving the first kernel to the first start."""

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None and self.kernel_name == KERNEL_NAME:
            first = take()
            if first is not None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
                self.provisioner = AdoptingProvisioner(
                    first, kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
                )
        return await super()._async_pre_start_kernel(**kw)
