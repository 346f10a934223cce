// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DMA domain of a device behind an IOMMU: made, joined, left, freed.
 *
 * A DMA domain is a paging domain of the device's IOMMU with an IOVA space
 * (dma-iova.c) and the MSI doorbells mapped.  A device gets one of its own
 * when its DMA is set up, unless the IOMMU passes DMA through or its driver
 * manages DMA itself; the arm_iommu_* API (dma-iommu-legacy.c) lets
 * drivers share one between devices.  Which DMA ops a device then has is
 * for the caller to set: nothing here chooses ops.
 */
#define pr_fmt(fmt) "arm-iommu: " fmt
#define dev_fmt pr_fmt

#include <linux/dma-direct.h>
#include <linux/iommu.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>

#include "dma-internal.h"
#include "dma-iova.h"

/*
 * MSIs are writes like any other: map each MSI controller's doorbell page
 * of the device tree at its own address, so that a device's interrupts
 * still reach it through the domain.
 */
static int arm_iommu_map_doorbells(struct iommu_domain *domain)
{
	struct iova_domain *iovad = &domain->iova_cookie->iovad;
	struct device_node *np;
	struct resource res;
	int ret;

	for_each_node_with_property(np, "msi-controller") {
		phys_addr_t page;

		if (of_address_to_resource(np, 0, &res))
			continue;
		page = res.start & ~(phys_addr_t)iova_mask(iovad);
		if (page > domain->geometry.aperture_end)
			continue;
		arm_iova_reserve(domain->iova_cookie, page, page);
		ret = iommu_map(domain, page, page, iovad->granule,
				IOMMU_WRITE | IOMMU_MMIO, GFP_KERNEL);
		if (ret && ret != -EEXIST) {
			of_node_put(np);
			return ret;
		}
	}
	return 0;
}

/**
 * arm_iommu_domain_free() - free a domain of arm_iommu_domain_alloc()
 * @domain:	the domain, no device attached any more
 */
void arm_iommu_domain_free(struct iommu_domain *domain)
{
	arm_iova_space_free(domain->iova_cookie);
	domain->iova_cookie = NULL;
	iommu_domain_free(domain);
}

/**
 * arm_iommu_domain_alloc() - a paging domain with an IOVA space for DMA
 * @dev:	a device behind the IOMMU the domain is for
 * @base:	the lowest IOVA to hand out
 * @size:	bytes of IOVA space from @base
 *
 * The domain's MSI doorbells are mapped already; devices join it with
 * arm_iommu_domain_attach().
 *
 * Return: the domain, or an ERR_PTR().
 */
struct iommu_domain *arm_iommu_domain_alloc(struct device *dev,
					    dma_addr_t base, u64 size)
{
	struct iommu_domain *domain;

	if (!size || base + size - 1 < base)
		return ERR_PTR(-EINVAL);
	domain = iommu_paging_domain_alloc(dev);
	if (IS_ERR(domain))
		return domain;
	domain->iova_cookie = arm_iova_space_create(dev, domain, base, size);
	if (!domain->iova_cookie) {
		iommu_domain_free(domain);
		return ERR_PTR(-ENOMEM);
	}
	if (arm_iommu_map_doorbells(domain)) {
		arm_iommu_domain_free(domain);
		return ERR_PTR(-ENOMEM);
	}
	return domain;
}

/**
 * arm_iommu_domain_attach() - DMA of a device through a domain
 * @dev:	the device
 * @domain:	a domain of arm_iommu_domain_alloc(), maybe shared
 *
 * Keeps the regions the IOMMU reserves for @dev out of the domain's IOVA
 * space and attaches @dev.  The caller gives it arm_iommu_dma_ops.
 *
 * Return: 0, or the error of iommu_attach_device().
 */
int arm_iommu_domain_attach(struct device *dev, struct iommu_domain *domain)
{
	struct iommu_resv_region *r;
	LIST_HEAD(regions);
	int ret;

	iommu_get_resv_regions(dev, &regions);
	list_for_each_entry(r, &regions, list)
		arm_iova_reserve(domain->iova_cookie, r->start,
				 r->start + r->length - 1);
	iommu_put_resv_regions(dev, &regions);

	ret = iommu_attach_device(domain, dev);
	if (ret) {
		dev_err(dev, "cannot attach to a DMA domain: %d\n", ret);
		return ret;
	}
	dev_dbg(dev, "translated by %s, %s invalidation\n",
		dev_name(dev->iommu->iommu_dev->dev),
		arm_iova_lazy(domain->iova_cookie) ? "lazy" : "strict");
	return 0;
}

/**
 * arm_iommu_domain_detach() - undo arm_iommu_domain_attach()
 * @dev:	the device, with no DMA in flight through @domain
 * @domain:	the domain it was attached to
 *
 * The device goes back to the IOMMU's default domain; the caller gives it
 * the ops of that.
 */
void arm_iommu_domain_detach(struct device *dev, struct iommu_domain *domain)
{
	iommu_detach_device(domain, dev);
}

/* Drivers that run the IOMMU themselves (VFIO) keep their device to themselves. */
static bool arm_iommu_driver_manages_dma(struct device *dev)
{
	if (!dev->driver)
		return false;
#ifdef CONFIG_PCI
	if (dev_is_pci(dev))
		return to_pci_driver(dev->driver)->driver_managed_dma;
#endif
	if (dev_is_platform(dev))
		return to_platform_driver(dev->driver)->driver_managed_dma;
	return false;
}

/**
 * arm_iommu_wants_domain() - whether a device's DMA should be translated
 * @dev:	a device whose DMA is being set up
 *
 * Return: true for a device behind an IOMMU, unless the IOMMU is to pass
 * DMA through (iommu.passthrough=1) or the device's driver manages DMA.
 */
bool arm_iommu_wants_domain(struct device *dev)
{
	return device_iommu_mapped(dev) && !iommu_default_passthrough() &&
	       !arm_iommu_driver_manages_dma(dev);
}

/**
 * arm_iommu_dma_window() - the IOVA window of a device's own domain
 * @dev:	the device
 * @base:	set to the lowest IOVA: its dma-ranges, else 0
 * @size:	set to the window's bytes: its dma-ranges, else 4 GiB
 */
void arm_iommu_dma_window(struct device *dev, dma_addr_t *base, u64 *size)
{
	*base = 0;
	*size = SZ_4G;
	if (dev->dma_range_map) {
		*base = dma_range_map_min(dev->dma_range_map);
		*size = dma_range_map_max(dev->dma_range_map) - *base + 1;
	}
}

/**
 * arm_iommu_own_domain_setup() - give a device a DMA domain of its own
 * @dev:	a device for which arm_iommu_wants_domain()
 *
 * Return: 0, or the error that left the device in its default domain.
 */
int arm_iommu_own_domain_setup(struct device *dev)
{
	struct iommu_domain *domain;
	dma_addr_t base;
	u64 size;
	int ret;

	arm_iommu_dma_window(dev, &base, &size);
	domain = arm_iommu_domain_alloc(dev, base, size);
	if (IS_ERR(domain))
		return PTR_ERR(domain);
	ret = arm_iommu_domain_attach(dev, domain);
	if (ret)
		arm_iommu_domain_free(domain);
	return ret;
}

/**
 * arm_iommu_own_domain_teardown() - undo arm_iommu_own_domain_setup()
 * @dev:	the device, its driver gone
 */
void arm_iommu_own_domain_teardown(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	arm_iommu_domain_detach(dev, domain);
	arm_iommu_domain_free(domain);
}
