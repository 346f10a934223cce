# SPDX-License-Identifier: GPL-2.0
#
# QEMU 'vexpress-a9' for the ARM DMA layer's KUnit suites: Cortex-A9, no
# dma-coherent device, and the PL310 outer (L2) cache controller enabled.
#
# QEMU needs the board's device tree, which the kernel build makes under the
# build folder: ARMDMA_KUNIT_BUILD names that folder (kunit.py --build_dir).
# ARMDMA_QEMU_EXTRA (optional) adds QEMU options, split on white space.

import os

from ..qemu_config import QemuArchParams

_BUILD = os.environ.get('ARMDMA_KUNIT_BUILD', '.kunit')

QEMU_ARCH = QemuArchParams(linux_arch='arm',
			   kconfig='''
CONFIG_ARCH_MULTI_V7=y
CONFIG_ARCH_VEXPRESS=y
CONFIG_CACHE_L2X0=y
CONFIG_SMP=y
CONFIG_HIGHMEM=y
CONFIG_SERIAL_AMBA_PL011=y
CONFIG_SERIAL_AMBA_PL011_CONSOLE=y''',
			   qemu_arch='arm',
			   kernel_path='arch/arm/boot/zImage',
			   kernel_command_line='console=ttyAMA0',
			   extra_qemu_params=['-machine', 'vexpress-a9', '-dtb',
					      os.path.join(_BUILD, 'arch/arm/boot/dts/arm/vexpress-v2p-ca9.dtb')] +
					     os.environ.get('ARMDMA_QEMU_EXTRA', '').split())
