// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-device coherent pools: memory set aside for one device's coherent
 * buffers, by the driver (dma_declare_coherent_memory()) or by the device
 * tree (a reserved-memory "shared-dma-pool" node with no-map).
 *
 * The memory is not part of the kernel's RAM: it is mapped write-combine
 * once, and carved in power-of-two runs of pages with a bitmap.  The DMA
 * API asks a device's pool before any other allocator and takes the
 * answer, so a device with a pool never falls back to ordinary memory.
 */
#include <linux/bitmap.h>
#include <linux/dma-dev-coherent.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mmap.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_fdt.h>
#include <linux/of_reserved_mem.h>
#include <linux/slab.h>

/**
 * struct dma_coherent_mem - one pool of device memory
 * @virt_base:	 the CPU's mapping of the first page
 * @device_base: the device's address of the first page
 * @phys_base:	 CPU physical address of the first page (as declared: it
 *		 need not be page aligned)
 * @pages:	 pages in the pool
 * @bitmap:	 one bit per page, set while handed out
 * @lock:	 guards @bitmap
 * @translate:	 device addresses follow the device's dma-ranges, not
 *		 @device_base (pools from the device tree, shared by devices)
 */
struct dma_coherent_mem {
	void *virt_base;
	dma_addr_t device_base;
	phys_addr_t phys_base;
	int pages;
	unsigned long *bitmap;
	spinlock_t lock;		/* guards bitmap */
	bool translate;
};

static struct dma_coherent_mem *dev_pool(struct device *dev)
{
	return dev ? dev->dma_mem : NULL;
}

static dma_addr_t pool_dma_base(struct device *dev,
				struct dma_coherent_mem *mem)
{
	if (mem->translate)
		return phys_to_dma(dev, mem->phys_base);
	return mem->device_base;
}

static struct dma_coherent_mem *pool_create(phys_addr_t phys,
					    dma_addr_t device_addr,
					    size_t size, bool translate)
{
	struct dma_coherent_mem *mem;
	int pages = size >> PAGE_SHIFT;

	/* Like upstream: a ragged end is left unused, an unaligned start kept. */
	if (!pages) {
		pr_err("dma-coherent: a pool of %zu bytes at %pa holds no whole page\n",
		       size, &phys);
		return ERR_PTR(-EINVAL);
	}

	mem = kzalloc(sizeof(*mem), GFP_KERNEL);
	if (!mem)
		return ERR_PTR(-ENOMEM);
	mem->bitmap = bitmap_zalloc(pages, GFP_KERNEL);
	mem->virt_base = memremap(phys, size, MEMREMAP_WC);
	if (!mem->bitmap || !mem->virt_base) {
		if (mem->virt_base)
			memunmap(mem->virt_base);
		bitmap_free(mem->bitmap);
		kfree(mem);
		pr_err("dma-coherent: cannot map a %zu KiB pool at %pa\n",
		       size >> 10, &phys);
		return ERR_PTR(-ENOMEM);
	}
	mem->device_base = device_addr;
	mem->phys_base = phys;
	mem->pages = pages;
	mem->translate = translate;
	spin_lock_init(&mem->lock);
	return mem;
}

static void pool_destroy(struct dma_coherent_mem *mem)
{
	memunmap(mem->virt_base);
	bitmap_free(mem->bitmap);
	kfree(mem);
}

static int pool_assign(struct device *dev, struct dma_coherent_mem *mem)
{
	if (!dev)
		return -ENODEV;
	if (dev->dma_mem) {
		dev_err(dev, "dma-coherent: the device already has a coherent pool\n");
		return -EBUSY;
	}
	dev->dma_mem = mem;
	return 0;
}

static void *pool_alloc(struct device *dev, struct dma_coherent_mem *mem,
			ssize_t size, dma_addr_t *dma_handle)
{
	int order = get_order(size);
	unsigned long flags;
	void *vaddr;
	int first;

	spin_lock_irqsave(&mem->lock, flags);
	first = size > 0 && size <= (ssize_t)mem->pages << PAGE_SHIFT ?
		bitmap_find_free_region(mem->bitmap, mem->pages, order) :
		-ENOMEM;
	spin_unlock_irqrestore(&mem->lock, flags);
	if (first < 0)
		return NULL;

	*dma_handle = pool_dma_base(dev, mem) + ((dma_addr_t)first << PAGE_SHIFT);
	vaddr = mem->virt_base + ((size_t)first << PAGE_SHIFT);
	memset(vaddr, 0, PAGE_SIZE << order);
	return vaddr;
}

/* The first page of @vaddr in @mem, or -1 when @vaddr is not in it. */
static int pool_page_of(struct dma_coherent_mem *mem, void *vaddr,
			size_t size)
{
	void *end = mem->virt_base + ((size_t)mem->pages << PAGE_SHIFT);

	if (vaddr < mem->virt_base || vaddr + size > end)
		return -1;
	return (vaddr - mem->virt_base) >> PAGE_SHIFT;
}

static int pool_release(struct dma_coherent_mem *mem, int order, void *vaddr)
{
	int first = pool_page_of(mem, vaddr, PAGE_SIZE << order);
	unsigned long flags;

	if (first < 0)
		return 0;
	spin_lock_irqsave(&mem->lock, flags);
	bitmap_release_region(mem->bitmap, first, order);
	spin_unlock_irqrestore(&mem->lock, flags);
	return 1;
}

static int pool_mmap(struct dma_coherent_mem *mem, struct vm_area_struct *vma,
		     void *vaddr, size_t size, int *ret)
{
	int first = pool_page_of(mem, vaddr, size);
	unsigned long pages = PAGE_ALIGN(size) >> PAGE_SHIFT;

	if (first < 0)
		return 0;
	/* User space maps whole pages: a buffer off a page boundary cannot be. */
	if (offset_in_page(mem->phys_base))
		*ret = -ENXIO;
	else
		*ret = dma_mmap_pfn_range(vma, PHYS_PFN(mem->phys_base) + first,
					  pages);
	return 1;
}

static int pool_get_sgtable(struct dma_coherent_mem *mem, struct sg_table *sgt,
			    void *vaddr, size_t size, int *ret)
{
	int first = pool_page_of(mem, vaddr, size);
	phys_addr_t phys;

	if (first < 0)
		return 0;
	/* A pool over memory the kernel has no struct page for has no table. */
	phys = mem->phys_base + (vaddr - mem->virt_base);
	if (!pfn_valid(PHYS_PFN(phys)) || !pfn_valid(PHYS_PFN(phys + size - 1))) {
		*ret = -ENXIO;
		return 1;
	}
	*ret = sg_alloc_table(sgt, 1, GFP_KERNEL);
	if (!*ret)
		sg_set_page(sgt->sgl, phys_to_page(phys), PAGE_ALIGN(size),
			    offset_in_page(phys));
	return 1;
}

/**
 * dma_declare_coherent_memory() - give a device a pool of its own memory
 * @dev:	 the device
 * @phys_addr:	 CPU physical address of the memory (not kernel RAM)
 * @device_addr: the device's address for @phys_addr
 * @size:	 bytes, a whole number of pages
 *
 * From now on every dma_alloc_coherent() for @dev is served from this
 * memory, and fails when it is full.
 *
 * Return: 0, or a negative errno when the memory cannot be mapped or the
 * device has a pool already.
 */
int dma_declare_coherent_memory(struct device *dev, phys_addr_t phys_addr,
				dma_addr_t device_addr, size_t size)
{
	struct dma_coherent_mem *mem;
	int ret;

	mem = pool_create(phys_addr, device_addr, size, false);
	if (IS_ERR(mem))
		return PTR_ERR(mem);
	ret = pool_assign(dev, mem);
	if (ret)
		pool_destroy(mem);
	return ret;
}

/**
 * dma_release_coherent_memory() - take a declared pool away from a device
 * @dev:	the device; its buffers from the pool must be freed already
 */
void dma_release_coherent_memory(struct device *dev)
{
	struct dma_coherent_mem *mem = dev_pool(dev);

	if (!mem)
		return;
	dev->dma_mem = NULL;
	pool_destroy(mem);
}

/**
 * dma_alloc_from_dev_coherent() - allocate from the device's own pool
 * @dev:	the device
 * @size:	bytes
 * @dma_handle:	set to the device's address of the buffer
 * @ret:	set to the buffer's kernel address, or NULL when the pool is full
 *
 * Return: 1 when the device has a pool (whatever *@ret is), 0 when it has
 * none and the caller should use its other allocators.
 */
int dma_alloc_from_dev_coherent(struct device *dev, ssize_t size,
				dma_addr_t *dma_handle, void **ret)
{
	struct dma_coherent_mem *mem = dev_pool(dev);

	if (!mem)
		return 0;
	*ret = pool_alloc(dev, mem, size, dma_handle);
	return 1;
}

/**
 * dma_release_from_dev_coherent() - give a buffer back to the device's pool
 * @dev:	the device
 * @order:	the buffer's size, as a page order
 * @vaddr:	the buffer's kernel address
 *
 * Return: 1 when @vaddr belonged to the pool and was released, else 0.
 */
int dma_release_from_dev_coherent(struct device *dev, int order, void *vaddr)
{
	struct dma_coherent_mem *mem = dev_pool(dev);

	return mem ? pool_release(mem, order, vaddr) : 0;
}

/**
 * dma_mmap_from_dev_coherent() - map a pool buffer into user space
 * @dev:	the device
 * @vma:	the user mapping, with its page protection set
 * @vaddr:	the buffer's kernel address
 * @size:	the buffer's size
 * @ret:	set to the result of the mapping
 *
 * Return: 1 when @vaddr belongs to the device's pool (see *@ret), else 0.
 */
int dma_mmap_from_dev_coherent(struct device *dev, struct vm_area_struct *vma,
			       void *vaddr, size_t size, int *ret)
{
	struct dma_coherent_mem *mem = dev_pool(dev);

	return mem ? pool_mmap(mem, vma, vaddr, size, ret) : 0;
}

/**
 * dma_get_sgtable_from_dev_coherent() - a table of a pool buffer's pages
 * @dev:	the device
 * @sgt:	the table to fill, one entry
 * @vaddr:	the buffer's kernel address
 * @size:	the buffer's size
 * @ret:	set to 0, or a negative errno when the table cannot be made
 *		(-ENXIO: the pool's memory has no struct page)
 *
 * Return: 1 when @vaddr belongs to the device's pool (see *@ret), else 0.
 */
int dma_get_sgtable_from_dev_coherent(struct device *dev, struct sg_table *sgt,
				      void *vaddr, size_t size, int *ret)
{
	struct dma_coherent_mem *mem = dev_pool(dev);

	return mem ? pool_get_sgtable(mem, sgt, vaddr, size, ret) : 0;
}

#ifdef CONFIG_DMA_GLOBAL_POOL
/* One pool for every device, on machines without an MMU to remap with. */
static struct dma_coherent_mem *dma_global_pool __ro_after_init;

void *dma_alloc_from_global_coherent(struct device *dev, ssize_t size,
				     dma_addr_t *dma_handle)
{
	if (!dma_global_pool)
		return NULL;
	return pool_alloc(dev, dma_global_pool, size, dma_handle);
}

int dma_release_from_global_coherent(int order, void *vaddr)
{
	if (!dma_global_pool)
		return 0;
	return pool_release(dma_global_pool, order, vaddr);
}

int dma_mmap_from_global_coherent(struct vm_area_struct *vma, void *vaddr,
				  size_t size, int *ret)
{
	if (!dma_global_pool)
		return 0;
	return pool_mmap(dma_global_pool, vma, vaddr, size, ret);
}

int dma_init_global_coherent(phys_addr_t phys_addr, size_t size)
{
	struct dma_coherent_mem *mem;

	mem = pool_create(phys_addr, phys_addr, size, true);
	if (IS_ERR(mem))
		return PTR_ERR(mem);
	dma_global_pool = mem;
	pr_info("dma-coherent: global pool of %zu KiB at %pa\n", size >> 10,
		&phys_addr);
	return 0;
}
#endif /* CONFIG_DMA_GLOBAL_POOL */

#ifdef CONFIG_OF_RESERVED_MEM
#ifdef CONFIG_DMA_GLOBAL_POOL
static phys_addr_t dma_global_rmem_base __initdata;
static phys_addr_t dma_global_rmem_size __initdata;
#endif

/*
 * A device tree pool is mapped when its first device probes, and shared by
 * every device whose memory-region names it.
 */
static int rmem_pool_device_init(struct reserved_mem *rmem, struct device *dev)
{
	struct dma_coherent_mem *mem = rmem->priv;

	if (!mem) {
		mem = pool_create(rmem->base, rmem->base, rmem->size, true);
		if (IS_ERR(mem))
			return PTR_ERR(mem);
		rmem->priv = mem;
	}
	if (mem->device_base + rmem->size - 1 >
	    min_not_zero(dev->coherent_dma_mask, dev->bus_dma_limit))
		dev_warn(dev, "dma-coherent: %s ends beyond the device's DMA mask\n",
			 rmem->name);
	return pool_assign(dev, mem);
}

static void rmem_pool_device_release(struct reserved_mem *rmem,
				     struct device *dev)
{
	if (dev)
		dev->dma_mem = NULL;
}

static const struct reserved_mem_ops rmem_pool_ops = {
	.device_init	= rmem_pool_device_init,
	.device_release	= rmem_pool_device_release,
};

static int __init rmem_pool_setup(struct reserved_mem *rmem)
{
	unsigned long node = rmem->fdt_node;

	/* A reusable shared-dma-pool is a CMA area: kernel/dma/contiguous.c. */
	if (of_get_flat_dt_prop(node, "reusable", NULL))
		return -EINVAL;
	if (IS_ENABLED(CONFIG_ARM) && !of_get_flat_dt_prop(node, "no-map", NULL)) {
		pr_err("dma-coherent: %s: a coherent pool needs no-map on ARM: the kernel's cacheable mapping of it would alias\n",
		       rmem->name);
		return -EINVAL;
	}
#ifdef CONFIG_DMA_GLOBAL_POOL
	if (of_get_flat_dt_prop(node, "linux,dma-default", NULL)) {
		WARN(dma_global_rmem_size,
		     "dma-coherent: more than one linux,dma-default pool\n");
		dma_global_rmem_base = rmem->base;
		dma_global_rmem_size = rmem->size;
	}
#endif
	rmem->ops = &rmem_pool_ops;
	pr_info("dma-coherent: %s: %lu KiB pool at %pa\n", rmem->name,
		(unsigned long)(rmem->size >> 10), &rmem->base);
	return 0;
}

RESERVEDMEM_OF_DECLARE(dma, "shared-dma-pool", rmem_pool_setup);

#ifdef CONFIG_DMA_GLOBAL_POOL
static int __init dma_global_pool_from_dt(void)
{
	if (!dma_global_rmem_size)
		return 0;
	return dma_init_global_coherent(dma_global_rmem_base,
					dma_global_rmem_size);
}
core_initcall(dma_global_pool_from_dt);
#endif
#endif /* CONFIG_OF_RESERVED_MEM */
