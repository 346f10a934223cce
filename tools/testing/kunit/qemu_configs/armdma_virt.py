# SPDX-License-Identifier: GPL-2.0
#
# QEMU 'virt' for the ARM DMA layer's KUnit suites: Cortex-A15 with LPAE,
# two CPUs, coherent PCIe (the host bridge node carries dma-coherent).
#
# ARMDMA_QEMU_EXTRA (optional) adds QEMU options, split on white space.

import os

from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='arm',
			   kconfig='''
CONFIG_ARCH_VIRT=y
CONFIG_ARM_LPAE=y
CONFIG_SMP=y
CONFIG_HIGHMEM=y
CONFIG_PCI=y
CONFIG_PCI_HOST_GENERIC=y
CONFIG_SERIAL_AMBA_PL011=y
CONFIG_SERIAL_AMBA_PL011_CONSOLE=y
# CONFIG_HID is not set''',
			   qemu_arch='arm',
			   kernel_path='arch/arm/boot/zImage',
			   kernel_command_line='console=ttyAMA0',
			   extra_qemu_params=['-machine', 'virt', '-cpu', 'cortex-a15',
					      '-smp', '2'] +
					     os.environ.get('ARMDMA_QEMU_EXTRA', '').split())
