// SPDX-License-Identifier: GPL-2.0-only
/*
 * ARM SMMUv3 driver for 32-bit ARM kernels with LPAE.
 *
 * Stage 1 translation only, with AArch64-format page tables from
 * io-pgtable, one context descriptor per domain, a linear or 2-level stream
 * table, a command queue completed by polling CMD_SYNC, and an event queue
 * whose faults are reported by interrupt.  Stream IDs without a domain
 * abort: a device reaches memory only through a domain it was attached to.
 *
 * This file probes and resets the SMMU, gives the IOMMU core its ops and
 * its devices, and reports faults; the rest is in the files
 * smmu-v3-internal.h lists.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "smmu-v3-internal.h"

#define SMMU_CMDQ_MAX_LOG2N	8
#define SMMU_EVTQ_MAX_LOG2N	7
#define SMMU_LINEAR_BEST_BITS	8		/* larger: 2-level, if it can */
#define SMMU_LINEAR_MAX_BITS	16		/* a linear table of 4 MiB */
#define SMMU_2LVL_MAX_BITS	20		/* a level 1 table of 32 KiB */

static struct platform_driver smmu_driver;

/* A smaller command queue than the SMMU offers, to test a queue that fills. */
static unsigned int cmdq_log2n = SMMU_CMDQ_MAX_LOG2N;
module_param(cmdq_log2n, uint, 0444);
MODULE_PARM_DESC(cmdq_log2n, "log2 of the command queue's entries (1 to 8)");

/* Off: a linear stream table where the SMMU has 2-level too, to test one. */
static bool two_level = true;
module_param(two_level, bool, 0444);
MODULE_PARM_DESC(two_level, "use a 2-level stream table where the SMMU has one (IDR0.ST_LEVEL)");

/* Off: one command per page even where the SMMU takes ranges, to compare. */
static bool range_inv = true;
module_param(range_inv, bool, 0444);
MODULE_PARM_DESC(range_inv, "invalidate ranges with one command where the SMMU can (IDR3.RIL)");

/* Devices */

static struct smmu_device *smmu_from_fwnode(struct fwnode_handle *fwnode)
{
	struct device *dev = driver_find_device_by_fwnode(&smmu_driver.driver,
							  fwnode);

	put_device(dev);
	return dev ? dev_get_drvdata(dev) : NULL;
}

static struct iommu_device *smmu_probe_device(struct device *dev)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(dev);
	struct smmu_master *master;
	struct smmu_device *smmu;
	unsigned int i;
	int ret;

	if (!fwspec)
		return ERR_PTR(-ENODEV);
	smmu = smmu_from_fwnode(fwspec->iommu_fwnode);
	if (!smmu)
		return ERR_PTR(-ENODEV);

	master = kzalloc(sizeof(*master), GFP_KERNEL);
	if (!master)
		return ERR_PTR(-ENOMEM);
	master->smmu = smmu;
	master->dev = dev;
	master->sids = fwspec->ids;
	master->nr_sids = fwspec->num_ids;
	for (i = 0; i < master->nr_sids; i++) {
		u32 sid = master->sids[i];

		if (sid >= (1U << smmu->sid_bits)) {
			dev_err(dev, "stream ID %#x is beyond the SMMU's %u bits\n",
				sid, smmu->sid_bits);
			ret = -ERANGE;
			goto fail;
		}
		ret = smmu_ste_prepare(smmu, sid);
		if (ret)
			goto fail;
	}
	smmu_add_streams(master);
	dev_iommu_priv_set(dev, master);
	return &smmu->iommu;

fail:
	kfree(master);
	return ERR_PTR(ret);
}

static void smmu_release_device(struct device *dev)
{
	struct smmu_master *master = dev_iommu_priv_get(dev);

	smmu_remove_streams(master);
	kfree(master);
}

/*
 * The SMMU cannot tell apart devices that share a stream ID: a device goes
 * into the group of any device it shares one with, before the PCI rules
 * (which miss a PCIe-to-PCI bridge that no driver has bound, so is in no
 * group itself) or a group of its own.
 */
static struct iommu_group *smmu_device_group(struct device *dev)
{
	struct smmu_master *master = dev_iommu_priv_get(dev);
	struct smmu_device *smmu = master->smmu;
	struct iommu_group *group = NULL;
	unsigned int i;

	mutex_lock(&smmu->streams_lock);
	for (i = 0; i < master->nr_sids && !group; i++) {
		struct smmu_master *other = smmu_other_master(master,
							      master->sids[i]);

		if (other && other->dev->iommu_group)
			group = iommu_group_ref_get(other->dev->iommu_group);
	}
	mutex_unlock(&smmu->streams_lock);
	if (group)
		return group;
	return dev_is_pci(dev) ? pci_device_group(dev) :
				 generic_device_group(dev);
}

/*
 * Without IOMMU_DMA the IOMMU core gives every group an identity default
 * domain.  The ARM DMA layer (ARM_DMA_IOMMU) translates through the
 * group's default domain instead, which the core then shares between the
 * group's devices and keeps attached across their drivers: ask for a
 * paging one.  Passthrough (iommu.passthrough=1) and kernels with the
 * arm_iommu_* API, whose mappings replace the default domain, keep the
 * core's choice.
 */
static int smmu_def_domain_type(struct device *dev)
{
	if (IS_ENABLED(CONFIG_ARM_DMA_IOMMU) &&
	    !IS_ENABLED(CONFIG_ARM_DMA_USE_IOMMU) &&
	    !iommu_default_passthrough())
		return IOMMU_DOMAIN_UNMANAGED;
	return 0;
}

/*
 * MSIs are translated like any other write.  Keep an IOVA window free for
 * mapping MSI doorbells, where users of the domain (VFIO, a DMA layer)
 * look for it.
 */
#define SMMU_MSI_IOVA_BASE	0x08000000
#define SMMU_MSI_IOVA_SIZE	SZ_1M

static void smmu_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct iommu_resv_region *msi;

	msi = iommu_alloc_resv_region(SMMU_MSI_IOVA_BASE, SMMU_MSI_IOVA_SIZE,
				      IOMMU_WRITE | IOMMU_NOEXEC | IOMMU_MMIO,
				      IOMMU_RESV_SW_MSI, GFP_KERNEL);
	if (msi)
		list_add_tail(&msi->list, head);
}

static int smmu_of_xlate(struct device *dev, const struct of_phandle_args *args)
{
	return iommu_fwspec_add_ids(dev, args->args, 1);
}

static const struct iommu_ops smmu_ops = {
	.identity_domain	= &smmu_identity_domain,
	.blocked_domain		= &smmu_blocked_domain,
	.release_domain		= &smmu_blocked_domain,
	.domain_alloc_paging	= smmu_domain_alloc_paging,
	.probe_device		= smmu_probe_device,
	.release_device		= smmu_release_device,
	.device_group		= smmu_device_group,
	.def_domain_type	= smmu_def_domain_type,
	.get_resv_regions	= smmu_get_resv_regions,
	.of_xlate		= smmu_of_xlate,
	.default_domain_ops	= &smmu_paging_ops,
	.owner			= THIS_MODULE,
};

/* Probe */

static int smmu_write_ack(struct smmu_device *smmu, u32 reg, u32 ack, u32 val)
{
	u32 got;

	writel_relaxed(val, smmu->base + reg);
	return readl_relaxed_poll_timeout(smmu->base + ack, got, got == val, 1,
					  SMMU_POLL_US);
}

static int smmu_read_features(struct smmu_device *smmu)
{
	u32 idr0 = readl_relaxed(smmu->base + SMMU_IDR0);
	u32 idr1 = readl_relaxed(smmu->base + SMMU_IDR1);
	u32 idr5 = readl_relaxed(smmu->base + SMMU_IDR5);
	static const u8 oas_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	unsigned int oas = FIELD_GET(IDR5_OAS, idr5), max_bits;

	if (!(idr0 & IDR0_S1P) || !(FIELD_GET(IDR0_TTF, idr0) & IDR0_TTF_AARCH64)) {
		dev_err(smmu->dev, "no stage 1 with AArch64 tables (IDR0 %#x)\n", idr0);
		return -ENODEV;
	}
	if (!(idr5 & IDR5_GRAN4K)) {
		dev_err(smmu->dev, "no 4K translation granule (IDR5 %#x)\n", idr5);
		return -ENODEV;
	}
	smmu->pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	smmu->ril = range_inv && (readl_relaxed(smmu->base + SMMU_IDR3) & IDR3_RIL);
	/*
	 * Stage 1 with a 4K granule takes up to 48 input bits; as on ARM64,
	 * a domain's IOVAs are no wider than the kernel's virtual addresses
	 * (the IOVA allocator counts pages in an unsigned long too).  What
	 * the tables point to is no wider than the CPU's physical addresses.
	 */
	smmu->ias = min(SMMU_S1_4K_IAS, BITS_PER_LONG);
	smmu->oas = min_t(unsigned int, oas < ARRAY_SIZE(oas_bits) ?
			  oas_bits[oas] : 48, PHYS_MASK_SHIFT);
	smmu->asid_bits = idr0 & IDR0_ASID16 ? 16 : 8;
	smmu->sid_bits = FIELD_GET(IDR1_SIDSIZE, idr1);
	smmu->two_level = two_level && smmu->sid_bits > SMMU_LINEAR_BEST_BITS &&
			  FIELD_GET(IDR0_ST_LEVEL, idr0) == IDR0_ST_LEVEL_2;
	/*
	 * Every stream ID the SMMU takes needs an entry: PCI devices beyond
	 * bus 0 have IDs above 8 bits.  32 bits would be a level 1 table of
	 * 128 MiB, 17 a linear table of 8 MiB.
	 */
	max_bits = smmu->two_level ? SMMU_2LVL_MAX_BITS : SMMU_LINEAR_MAX_BITS;
	if (smmu->sid_bits > max_bits) {
		dev_info(smmu->dev, "stream IDs limited to %u of %u bits (%s stream table)\n",
			 max_bits, smmu->sid_bits,
			 smmu->two_level ? "2-level" : "linear");
		smmu->sid_bits = max_bits;
	}
	if (smmu->coherent && !(idr0 & IDR0_COHACC))
		dev_warn(smmu->dev, "firmware says dma-coherent, IDR0 says not\n");
	smmu->coherent &= !!(idr0 & IDR0_COHACC);

	smmu->q.cmdq.log2n = clamp_t(unsigned int, cmdq_log2n, 1,
				     min_t(unsigned int,
					   FIELD_GET(IDR1_CMDQS, idr1),
					   SMMU_CMDQ_MAX_LOG2N));
	smmu->q.evtq.log2n = min_t(unsigned int, FIELD_GET(IDR1_EVTQS, idr1),
				   SMMU_EVTQ_MAX_LOG2N);
	return 0;
}

/* Faults */

static void smmu_report_event(struct smmu_device *smmu, const u64 *evt)
{
	unsigned int id = FIELD_GET(EVT0_ID, evt[0]);
	u32 sid = FIELD_GET(EVT0_SID, evt[0]);
	struct smmu_master *master;

	atomic_inc(&smmu->events[id & 0xff]);
	/* Held to the end: the master's domain cannot be detached, or freed. */
	mutex_lock(&smmu->streams_lock);
	master = smmu_stream_master(smmu, sid);
	dev_err_ratelimited(smmu->dev,
			    "event %#04x (%s): stream %#x (%s), %s of iova %#llx\n",
			    id, smmu_event_name(id), sid,
			    master ? dev_name(master->dev) : "no device",
			    evt[1] & EVT1_RNW ? "read" : "write", evt[2]);
	/* Faults of a translating domain go to its owner's handler, if any. */
	if (master && master->domain &&
	    id >= EVT_F_TRANSLATION && id <= EVT_F_PERMISSION)
		report_iommu_fault(master->domain, master->dev, evt[2],
				   evt[1] & EVT1_RNW ? IOMMU_FAULT_READ :
						       IOMMU_FAULT_WRITE);
	mutex_unlock(&smmu->streams_lock);
}

/* Report each event the SMMU wrote, until it has written nothing more. */
static irqreturn_t smmu_evtq_thread(int irq, void *data)
{
	struct smmu_device *smmu = data;
	u64 evt[EVT_DWORDS];

	while (smmu_evtq_next(&smmu->q, evt))
		smmu_report_event(smmu, evt);
	return IRQ_HANDLED;
}

static int smmu_setup_irqs(struct smmu_device *smmu,
			   struct platform_device *pdev)
{
	int evtq = platform_get_irq_byname(pdev, "eventq");
	int gerror = platform_get_irq_byname(pdev, "gerror");
	int ret;

	if (evtq < 0 || gerror < 0)
		return evtq < 0 ? evtq : gerror;
	ret = devm_request_threaded_irq(smmu->dev, evtq, NULL, smmu_evtq_thread,
					IRQF_ONESHOT, "smmu-v3-evtq", smmu);
	if (ret)
		return ret;
	ret = devm_request_irq(smmu->dev, gerror, smmu_gerror_irq, 0,
			       "smmu-v3-gerror", &smmu->q);
	if (ret)
		return ret;
	return smmu_write_ack(smmu, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK,
			      IRQ_CTRL_EVTQ_IRQEN | IRQ_CTRL_GERROR_IRQEN);
}

/*
 * Make the SMMU abort what arrives while it is off, rather than let it
 * through untranslated.  GBPA takes a new value only once it has taken
 * the last.
 */
static int smmu_abort_when_off(struct smmu_device *smmu)
{
	u32 gbpa;
	int ret;

	ret = readl_relaxed_poll_timeout(smmu->base + SMMU_GBPA, gbpa,
					 !(gbpa & GBPA_UPDATE), 1, SMMU_POLL_US);
	if (ret)
		return ret;
	writel_relaxed(GBPA_UPDATE | GBPA_ABORT, smmu->base + SMMU_GBPA);
	return readl_relaxed_poll_timeout(smmu->base + SMMU_GBPA, gbpa,
					  !(gbpa & GBPA_UPDATE), 1, SMMU_POLL_US);
}

static int smmu_reset(struct smmu_device *smmu, struct platform_device *pdev)
{
	u32 attr = smmu->coherent ? SMMU_CACHE_WBRA : 0;
	u32 enables = 0;
	u64 cmds[2 * CMD_DWORDS];
	int ret;

	/*
	 * Found on (a kdump kernel, firmware that used it): DMA of devices
	 * a kernel before us started is still arriving.  While the SMMU is
	 * off here, it is aborted, not let through.
	 */
	if (readl_relaxed(smmu->base + SMMU_CR0) & CR0_SMMUEN &&
	    smmu_abort_when_off(smmu))
		dev_warn(smmu->dev, "found on and cannot abort while off: DMA may pass untranslated\n");
	ret = smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, 0);
	if (ret) {
		dev_err(smmu->dev, "cannot disable the SMMU\n");
		return ret;
	}
	writel_relaxed(FIELD_PREP(CR1_TBL_SHARE, SMMU_SH_ISH) |
		       FIELD_PREP(CR1_TBL_OCACHE, attr) |
		       FIELD_PREP(CR1_TBL_ICACHE, attr) |
		       FIELD_PREP(CR1_Q_SHARE, SMMU_SH_ISH) |
		       FIELD_PREP(CR1_Q_OCACHE, attr) |
		       FIELD_PREP(CR1_Q_ICACHE, attr), smmu->base + SMMU_CR1);
	writel_relaxed(CR2_PTM | CR2_RECINVSID, smmu->base + SMMU_CR2);

	ret = smmu_init_strtab(smmu) ?:
	      smmu_queue_init(&smmu->q, &smmu->q.cmdq, smmu->q.cmdq.log2n,
			      CMD_DWORDS, SMMU_CMDQ_PROD, SMMU_CMDQ_CONS,
			      SMMU_CMDQ_BASE) ?:
	      smmu_queue_init(&smmu->q, &smmu->q.evtq, smmu->q.evtq.log2n,
			      EVT_DWORDS, SMMU_EVTQ_PROD, SMMU_EVTQ_CONS,
			      SMMU_EVTQ_BASE);
	if (ret)
		return ret;

	enables = CR0_CMDQEN;
	ret = smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, enables);
	if (ret)
		return ret;
	/* Nothing cached from before us may survive. */
	smmu_cmd_cfgi_all(cmds);
	smmu_cmd_tlbi_all(cmds + CMD_DWORDS);
	ret = smmu_cmdq_issue_sync(&smmu->q, cmds, 2);
	if (ret)
		return ret;

	enables |= CR0_EVTQEN;
	ret = smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, enables) ?:
	      smmu_setup_irqs(smmu, pdev);
	if (ret)
		return ret;
	enables |= CR0_SMMUEN;
	return smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, enables);
}

static int smmu_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct smmu_device *smmu;
	struct resource *res;
	int ret;

	smmu = devm_kzalloc(dev, sizeof(*smmu), GFP_KERNEL);
	if (!smmu)
		return -ENOMEM;
	smmu->dev = dev;
	smmu->coherent = of_dma_is_coherent(dev->of_node);
	mutex_init(&smmu->strtab_lock);
	ida_init(&smmu->asids);
	xa_init(&smmu->streams);
	mutex_init(&smmu->streams_lock);
	INIT_LIST_HEAD(&smmu->masters);

	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!res || resource_size(res) < SMMU_EVTQ_CONS + 4) {
		dev_err(dev, "needs both register pages (0x20000 bytes)\n");
		return -EINVAL;
	}
	smmu->base = devm_ioremap_resource(dev, res);
	if (IS_ERR(smmu->base))
		return PTR_ERR(smmu->base);
	smmu_queues_init(&smmu->q, dev, smmu->base);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(40));
	if (ret)
		return ret;

	ret = smmu_read_features(smmu) ?: smmu_reset(smmu, pdev);
	if (ret) {
		dev_err_probe(dev, ret, "cannot bring the SMMU up\n");
		goto fail_disable;
	}
	platform_set_drvdata(pdev, smmu);

	ret = iommu_device_sysfs_add(&smmu->iommu, dev, NULL, "smmu3.%pa",
				     &res->start);
	if (ret)
		goto fail_disable;
	ret = iommu_device_register(&smmu->iommu, &smmu_ops, dev);
	if (ret) {
		iommu_device_sysfs_remove(&smmu->iommu);
		goto fail_disable;
	}
	dev_info(dev, "SMMUv3: %u-bit stream IDs (%s stream table), %u-bit ASIDs, %u-bit input, %u-bit output, %scoherent walks, %s invalidation\n",
		 smmu->sid_bits, smmu->two_level ? "2-level" : "linear",
		 smmu->asid_bits, smmu->ias, smmu->oas,
		 smmu->coherent ? "" : "non-", smmu->ril ? "range" : "page");
	return 0;

fail_disable:
	/* Leave nothing enabled that points at memory devm is freeing. */
	smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, 0);
	return ret;
}

/*
 * Stop translating on the way down: what the tables and queues point to is
 * about to be reused (a kexec'd kernel, firmware), and devices still
 * holding IOVAs must not reach it.
 */
static void smmu_shutdown(struct platform_device *pdev)
{
	struct smmu_device *smmu = platform_get_drvdata(pdev);

	if (smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, 0))
		dev_err(&pdev->dev, "cannot disable the SMMU for shutdown\n");
	else
		dev_info(&pdev->dev, "disabled for shutdown\n");
}

static void smmu_remove(struct platform_device *pdev)
{
	struct smmu_device *smmu = platform_get_drvdata(pdev);

	iommu_device_unregister(&smmu->iommu);
	iommu_device_sysfs_remove(&smmu->iommu);
	smmu_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, 0);
}

static const struct of_device_id smmu_of_match[] = {
	{ .compatible = "arm,smmu-v3" },
	{ }
};
MODULE_DEVICE_TABLE(of, smmu_of_match);

static struct platform_driver smmu_driver = {
	.driver = {
		.name			= "arm-smmu-v3-arm32",
		.of_match_table		= smmu_of_match,
		.suppress_bind_attrs	= true,
	},
	.probe		= smmu_probe,
	.remove		= smmu_remove,
	.shutdown	= smmu_shutdown,
};
module_platform_driver(smmu_driver);

MODULE_DESCRIPTION("ARM SMMUv3 driver for 32-bit ARM with LPAE");
MODULE_LICENSE("GPL");
