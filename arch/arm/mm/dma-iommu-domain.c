// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DMA domain of a device behind an IOMMU: made, joined, left, freed.
 *
 * A DMA domain is a paging domain of the device's IOMMU with an IOVA
 * space (dma-iova.c) and the MSI doorbell of each of its devices mapped.
 * A device translates through its IOMMU group's default domain, which the
 * IOMMU core shares between the group's devices (functions without ACS,
 * devices behind a PCIe-to-PCI bridge, masters sharing a stream ID) and
 * keeps attached while any of their drivers is bound.  The IOVA space
 * lives as long as the domain, as iommu-dma's cookie does: what a driver
 * leaves mapped stays allocated after it goes.  Not when the IOMMU passes
 * DMA through or the driver manages DMA itself.  The arm_iommu_* API
 * (dma-iommu-legacy.c) instead makes domains of its own and lets drivers
 * share them.  Which DMA ops a device then has is for the caller to set:
 * nothing here chooses ops.
 */
#define pr_fmt(fmt) "arm-iommu: " fmt
#define dev_fmt pr_fmt

#include <linux/dma-direct.h>
#include <linux/irqdomain.h>
#include <linux/iommu.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <asm/dma-iommu.h>
#include <kunit/static_stub.h>

#include "dma-internal.h"
#include "dma-iova.h"

/**
 * struct arm_iommu_doorbell - where a kind of MSI controller takes MSIs
 * @offset:	of the doorbell register from the controller's first
 *		register frame: only that register's page is mapped for a
 *		device, never the controller's control registers
 * @frames:	the controller is every frame of this kind under one
 *		parent, though its IRQ domain names only the first: MSIs
 *		may be written to any of them
 */
struct arm_iommu_doorbell {
	unsigned long offset;
	bool frames;
};

static const struct arm_iommu_doorbell arm_iommu_gicv2m = { 0x40, true };
static const struct arm_iommu_doorbell arm_iommu_its = { 0x10040, false };

static const struct of_device_id arm_iommu_msi_doorbells[] = {
	/* GICv2m: MSI_SETSPI_NS of each frame */
	{ .compatible = "arm,gic-v2m-frame", .data = &arm_iommu_gicv2m },
	/* GICv3 ITS: GITS_TRANSLATER, in the translation frame at 64 KiB */
	{ .compatible = "arm,gic-v3-its", .data = &arm_iommu_its },
	{ }
};

/* The device tree node of the MSI controller @dev's MSIs go to, or NULL. */
static struct device_node *arm_iommu_msi_controller(struct device *dev)
{
	struct irq_domain *d;

	for (d = dev_get_msi_domain(dev); d; d = d->parent)
		if (is_of_node(d->fwnode))
			return to_of_node(d->fwnode);
	return NULL;
}

/* Map the doorbell page of one frame @np at its own address. */
static int arm_iommu_map_frame(struct device *dev, struct iommu_domain *domain,
			       struct device_node *np, unsigned long offset)
{
	struct iova_domain *iovad = &domain->iova_cookie->iovad;
	struct resource res;
	phys_addr_t page;
	int ret;

	if (of_address_to_resource(np, 0, &res)) {
		dev_warn(dev, "MSI controller %pOF has no registers: its MSIs will fault\n",
			 np);
		return 0;
	}
	page = (res.start + offset) & ~(phys_addr_t)iova_mask(iovad);
	if (page > domain->geometry.aperture_end) {
		dev_warn(dev, "MSI doorbell of %pOF at %pa is beyond the IOMMU's reach: its MSIs will fault\n",
			 np, &page);
		return 0;
	}
	arm_iova_reserve(domain->iova_cookie, page, page);
	/* Another device of the group, or @dev before a rebind, mapped it. */
	if (iommu_iova_to_phys(domain, page) == page)
		return 0;
	ret = iommu_map(domain, page, page, iovad->granule,
			IOMMU_WRITE | IOMMU_MMIO, GFP_KERNEL);
	if (ret)
		return ret;
	dev_dbg(dev, "MSI doorbell of %pOF at %pa\n", np, &page);
	return 0;
}

/*
 * MSIs are writes like any other.  Without IOMMU_DMA the GIC drivers
 * compose MSI messages with the doorbell's physical address, so map the
 * page of @dev's doorbell at that address, writable and nothing else, and
 * of each frame of its controller when it has several.  An MSI controller
 * this table does not know is left unmapped: its MSIs fault, and the
 * message says why.
 */
static int arm_iommu_map_doorbell(struct device *dev,
				  struct iommu_domain *domain)
{
	struct device_node *np = arm_iommu_msi_controller(dev);
	const struct arm_iommu_doorbell *db;
	const struct of_device_id *match;
	struct device_node *frame;
	int ret = 0;

	if (!np)
		return 0;
	match = of_match_node(arm_iommu_msi_doorbells, np);
	if (!match) {
		dev_warn(dev, "MSI controller %pOF: doorbell not known, its MSIs will fault\n",
			 np);
		return 0;
	}
	db = match->data;
	if (!db->frames || !np->parent)
		return arm_iommu_map_frame(dev, domain, np, db->offset);
	for_each_available_child_of_node(np->parent, frame) {
		if (!of_device_is_compatible(frame, match->compatible))
			continue;
		ret = arm_iommu_map_frame(dev, domain, frame, db->offset);
		if (ret) {
			of_node_put(frame);
			break;
		}
	}
	return ret;
}

/* Give @domain an IOVA space of [@base, @base + @size), for @owner. */
static int arm_iommu_domain_prepare(const char *owner,
				    struct iommu_domain *domain,
				    dma_addr_t base, u64 size)
{
	if (!size || base + size - 1 < base)
		return -EINVAL;
	domain->iova_cookie = arm_iova_space_create(owner, domain, base, size);
	return domain->iova_cookie ? 0 : -ENOMEM;
}

#ifdef CONFIG_PCI
/* The inbound range of @bridge that takes bus address @at, or NULL. */
static struct resource_entry *arm_iommu_dma_range_at(struct pci_host_bridge *bridge,
						     dma_addr_t at)
{
	struct resource_entry *e;

	resource_list_for_each_entry(e, &bridge->dma_ranges)
		if (at >= e->res->start - e->offset &&
		    at <= e->res->end - e->offset)
			return e;
	return NULL;
}

/* The lowest bus address above @at where an inbound range of @bridge starts. */
static bool arm_iommu_next_dma_range(struct pci_host_bridge *bridge,
				     dma_addr_t at, dma_addr_t *next)
{
	struct resource_entry *e;
	bool found = false;

	resource_list_for_each_entry(e, &bridge->dma_ranges) {
		dma_addr_t start = e->res->start - e->offset;

		if (start > at && (!found || start < *next)) {
			*next = start;
			found = true;
		}
	}
	return found;
}

/* Keep what no inbound range of @bridge takes out of @cookie's space. */
static void arm_iommu_reserve_dma_holes(struct pci_host_bridge *bridge,
					struct iommu_dma_cookie *cookie)
{
	struct resource_entry *e;
	dma_addr_t at = 0, next;

	if (list_empty(&bridge->dma_ranges))
		return;
	while (at <= cookie->limit) {
		e = arm_iommu_dma_range_at(bridge, at);
		if (e) {
			next = e->res->end - e->offset + 1;
		} else if (arm_iommu_next_dma_range(bridge, at, &next)) {
			arm_iova_reserve(cookie, at, next - 1);
		} else {
			arm_iova_reserve(cookie, at, cookie->limit);
			return;
		}
		if (next <= at)
			return;		/* the last range ends at the top */
		at = next;
	}
}

/*
 * What a PCI device's DMA must not be given: its host bridge's memory
 * windows, where a switch without ACS routes a write to a peer's BAR and
 * not to the IOMMU, and the holes between the bridge's inbound ranges
 * (dma-ranges), which the bridge does not pass on at all.
 */
static void arm_iommu_reserve_pci(struct device *dev,
				  struct iommu_dma_cookie *cookie)
{
	struct pci_host_bridge *bridge;
	struct resource_entry *e;

	if (!dev_is_pci(dev))
		return;
	bridge = pci_find_host_bridge(to_pci_dev(dev)->bus);
	resource_list_for_each_entry(e, &bridge->windows)
		if (resource_type(e->res) == IORESOURCE_MEM)
			arm_iova_reserve(cookie, e->res->start - e->offset,
					 e->res->end - e->offset);
	arm_iommu_reserve_dma_holes(bridge, cookie);
}
#else
static void arm_iommu_reserve_pci(struct device *dev,
				  struct iommu_dma_cookie *cookie)
{
}
#endif

/*
 * Make @domain ready for @dev's DMA: the regions the IOMMU reserves for
 * @dev (its MSI window, say) and those its PCI host bridge routes
 * elsewhere kept out of the IOVA space, and @dev's MSI doorbell mapped.
 */
static int arm_iommu_domain_join(struct device *dev,
				 struct iommu_domain *domain)
{
	struct iommu_resv_region *r;
	LIST_HEAD(regions);

	iommu_get_resv_regions(dev, &regions);
	list_for_each_entry(r, &regions, list)
		arm_iova_reserve(domain->iova_cookie, r->start,
				 r->start + r->length - 1);
	iommu_put_resv_regions(dev, &regions);
	arm_iommu_reserve_pci(dev, domain->iova_cookie);
	return arm_iommu_map_doorbell(dev, domain);
}

/**
 * arm_iommu_put_dma_cookie() - free a domain's IOVA space with the domain
 * @domain:	a domain the IOMMU core is freeing
 *
 * The IOMMU core calls this from iommu_domain_free(), as it calls
 * iommu-dma's iommu_put_dma_cookie(): an IOVA space lives exactly as long
 * as its domain, so that no IOVA a driver left mapped in a group's default
 * domain is handed out again after the driver goes and comes back.
 * Domains without a space (a driver's own, passthrough) have nothing.
 */
void arm_iommu_put_dma_cookie(struct iommu_domain *domain)
{
	if (!domain->iova_cookie)
		return;
	arm_iova_space_free(domain->iova_cookie);
	domain->iova_cookie = NULL;
}

/**
 * arm_iommu_domain_alloc() - a paging domain with an IOVA space for DMA
 * @dev:	a device behind the IOMMU the domain is for
 * @base:	the lowest IOVA to hand out
 * @size:	bytes of IOVA space from @base
 *
 * Devices join it with arm_iommu_domain_attach(), which maps their MSI
 * doorbells.
 *
 * Return: the domain, or an ERR_PTR().
 */
struct iommu_domain *arm_iommu_domain_alloc(struct device *dev,
					    dma_addr_t base, u64 size)
{
	struct iommu_domain *domain;
	int ret;

	if (!size || base + size - 1 < base)
		return ERR_PTR(-EINVAL);
	domain = iommu_paging_domain_alloc(dev);
	if (IS_ERR(domain))
		return domain;
	ret = arm_iommu_domain_prepare(dev_name(dev), domain, base, size);
	if (ret) {
		iommu_domain_free(domain);
		return ERR_PTR(ret);
	}
	return domain;
}

/**
 * arm_iommu_domain_attach() - DMA of a device, and its group, through a domain
 * @dev:	the device
 * @domain:	a domain of arm_iommu_domain_alloc(), maybe shared
 *
 * Keeps the regions the IOMMU reserves for @dev out of the domain's IOVA
 * space and attaches @dev's IOMMU group: the SMMU cannot tell its devices
 * apart, so they all translate through @domain from now on.  The caller
 * gives @dev arm_iommu_dma_ops.
 *
 * Return: 0, -EBUSY when the group is in another domain than its default
 * one (another device of it is attached elsewhere), or another error of
 * the IOMMU core.
 */
int arm_iommu_domain_attach(struct device *dev, struct iommu_domain *domain)
{
	struct iommu_group *group = iommu_group_get(dev);
	int ret;

	if (!group)
		return -ENODEV;
	ret = arm_iommu_domain_join(dev, domain);
	if (!ret)
		ret = iommu_attach_group(domain, group);
	iommu_group_put(group);
	if (ret) {
		dev_err(dev, "cannot attach to a DMA domain: %d\n", ret);
		return ret;
	}
	dev_dbg(dev, "translated by %s, %s invalidation\n",
		dev_name(dev->iommu->iommu_dev->dev),
		arm_iova_lazy(domain->iova_cookie) ? "lazy" : "strict");
	return 0;
}

struct arm_iommu_detach {
	struct device *leaving;
	struct iommu_domain *domain;
};

/* Whether another device of the group still has DMA ops over the domain. */
static int arm_iommu_domain_still_used(struct device *dev, void *data)
{
	struct dma_iommu_mapping *mapping = to_dma_iommu_mapping(dev);
	struct arm_iommu_detach *d = data;

	return dev != d->leaving && mapping && mapping->domain == d->domain;
}

/**
 * arm_iommu_domain_detach() - undo arm_iommu_domain_attach()
 * @dev:	the device, with no DMA in flight through @domain
 * @domain:	the domain it was attached to
 *
 * When no other device of its group still uses @domain, the whole group
 * goes back to the IOMMU's default domain, so that nothing walks @domain
 * once its owner frees it.  The caller gives @dev the ops of that.
 */
void arm_iommu_domain_detach(struct device *dev, struct iommu_domain *domain)
{
	struct arm_iommu_detach d = { .leaving = dev, .domain = domain };
	struct iommu_group *group = iommu_group_get(dev);

	if (!group)
		return;
	if (!iommu_group_for_each_dev(group, &d, arm_iommu_domain_still_used))
		iommu_detach_group(domain, group);
	iommu_group_put(group);
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

/* Serialises the IOVA spaces of group domains against their users. */
static DEFINE_MUTEX(arm_iommu_group_lock);

/**
 * arm_iommu_group_domain_setup() - translate a device through its group's
 *	default domain
 * @dev:	a device for which arm_iommu_wants_domain()
 *
 * The first device of the group to get here gives the domain its IOVA
 * space, with @dev's DMA window; the others, and @dev when its driver
 * comes back, share it.  The space goes with the domain.
 *
 * Return: 0, or -ENODEV when the group's default domain does not
 * translate (the IOMMU driver did not ask for a paging one).
 */
int arm_iommu_group_domain_setup(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_dma_domain(dev);
	dma_addr_t base;
	u64 size;
	int ret = 0;

	/* The tests fail it as running out of memory would. */
	KUNIT_STATIC_STUB_REDIRECT(arm_iommu_group_domain_setup, dev);
	if (!domain || !(domain->type & __IOMMU_DOMAIN_PAGING))
		return -ENODEV;
	mutex_lock(&arm_iommu_group_lock);
	if (!domain->iova_cookie) {
		char owner[16];

		snprintf(owner, sizeof(owner), "group%d",
			 iommu_group_id(dev->iommu_group));
		arm_iommu_dma_window(dev, &base, &size);
		ret = arm_iommu_domain_prepare(owner, domain, base, size);
	}
	if (!ret)
		ret = arm_iommu_domain_join(dev, domain);
	if (!ret)
		dev_dbg(dev, "translated by %s through group %d, %s invalidation\n",
			dev_name(dev->iommu->iommu_dev->dev),
			iommu_group_id(dev->iommu_group),
			arm_iova_lazy(domain->iova_cookie) ? "lazy" : "strict");
	mutex_unlock(&arm_iommu_group_lock);
	return ret;
}
