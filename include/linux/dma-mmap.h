/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mapping a physically contiguous DMA buffer to user space, for the
 * dma_map_ops .mmap of allocators that hand out page frames.
 */
#ifndef _LINUX_DMA_MMAP_H
#define _LINUX_DMA_MMAP_H

#include <linux/mm.h>

/**
 * dma_mmap_pfn_range() - map part of a contiguous buffer to user space
 * @vma:	the user mapping: its page offset and length say which part
 * @pfn:	the buffer's first page frame
 * @pages:	the buffer's length in pages
 *
 * Return: 0, -ENXIO when @vma reaches beyond the buffer, or the error of
 * remap_pfn_range().
 */
static inline int dma_mmap_pfn_range(struct vm_area_struct *vma,
				     unsigned long pfn, unsigned long pages)
{
	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -ENXIO;
	return remap_pfn_range(vma, vma->vm_start, pfn + vma->vm_pgoff,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

#endif /* _LINUX_DMA_MMAP_H */
