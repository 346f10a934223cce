// SPDX-License-Identifier: GPL-2.0
/*
 * What the conformance cases read a buffer through: its pages one by one,
 * the table dma_get_sgtable() made of it, and a user mapping of it.
 */
#include <linux/anon_inodes.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "conformance.h"

/* Each page of @page..+@size written through kmap and read back. */
long pages_hold(struct page *page, size_t size, u8 seed)
{
	size_t off;
	long at;

	for (off = 0; off < size; off += PAGE_SIZE) {
		void *p = kmap_local_page(nth_page(page, off >> PAGE_SHIFT));

		fill_from(p, PAGE_SIZE, seed, off);
		at = differs_from(p, PAGE_SIZE, seed, off);
		kunmap_local(p);
		if (at >= 0)
			return off + at;
	}
	return -1;
}

/* Compare the table's pages with @buf. */
long table_holds(struct sg_table *sgt, const void *buf, size_t size)
{
	struct sg_page_iter piter;
	size_t off = 0;
	long at = -1;

	for_each_sgtable_page(sgt, &piter, 0) {
		void *p;

		if (off >= size)
			break;
		p = kmap_local_page(sg_page_iter_page(&piter));
		if (memcmp(p, buf + off, min_t(size_t, PAGE_SIZE, size - off)))
			at = off;
		kunmap_local(p);
		off += PAGE_SIZE;
	}
	return off < size ? (long)off : at;
}

/*
 * User space sees an exported buffer through a file's mmap(): the case
 * gives the test's kthread an mm, maps a file whose mmap() calls @map, and
 * reads the mapping with copy_from_user().
 */

static int user_view_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct user_view *v = file->private_data;

	return v->map(v, vma);
}

static const struct file_operations user_view_fops = {
	.owner	= THIS_MODULE,
	.mmap	= user_view_mmap,
};

/*
 * Map @v to user space and copy what it shows at @off, @len bytes, into
 * @copy.  Return: whether the map and the copy worked.
 */
bool user_view_copy(struct kunit *test, struct user_view *v, void *copy,
		    size_t off, size_t len)
{
	unsigned long uaddr;
	struct file *file;
	bool ok;

	file = anon_inode_getfile("[dma-api-conformance]", &user_view_fops, v,
				  O_RDWR);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	uaddr = kunit_vm_mmap(test, file, 0, v->size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, 0);
	fput(file);
	KUNIT_EXPECT_FALSE_MSG(test, IS_ERR_VALUE(uaddr), "mmap: %ld",
			       (long)uaddr);
	if (IS_ERR_VALUE(uaddr))
		return false;
	ok = !copy_from_user(copy, (void __user *)uaddr + off, len);
	vm_munmap(uaddr, v->size);
	return ok;
}

/*
 * Map @v to user space and compare what it shows with fill(@seed).
 * Return: the first differing offset, -1 when all match.
 */
long user_view_sees(struct kunit *test, struct user_view *v, u8 seed)
{
	u8 *copy = kunit_kmalloc(test, v->size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, copy);
	if (!user_view_copy(test, v, copy, 0, v->size))
		return 0;
	return differs(copy, v->size, seed);
}

int user_view_coherent(struct user_view *v, struct vm_area_struct *vma)
{
	return dma_mmap_coherent(v->dev, vma, v->cpu, v->handle, v->size);
}

int user_view_unmapped(struct user_view *v, struct vm_area_struct *vma)
{
	return dma_mmap_attrs(v->dev, vma, v->cpu, v->handle, v->size,
			      DMA_ATTR_NO_KERNEL_MAPPING);
}

int user_view_pages(struct user_view *v, struct vm_area_struct *vma)
{
	return dma_mmap_pages(v->dev, vma, v->size, v->page);
}

int user_view_noncontiguous(struct user_view *v, struct vm_area_struct *vma)
{
	return dma_mmap_noncontiguous(v->dev, vma, v->size, v->sgt);
}

