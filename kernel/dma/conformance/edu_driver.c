// SPDX-License-Identifier: GPL-2.0
/*
 * A driver for QEMU's edu device that user space drives through sysfs, so
 * that the driver runs of make check can do with the DMA API what drivers
 * do over their lifetime: move data, leave mappings behind when they are
 * unbound and be bound again, and import one dma-buf into two devices at
 * once, each attachment mapped while the other is.
 *
 * It has no ID table: it binds only to the edus user space hands it with
 * driver_override, so that the KUnit suites' own edu drivers keep theirs.
 *
 * Attributes of a bound edu (each write returns an errno on failure):
 *   round_trip     "1": edu copies a page in through one streaming map and
 *                  out through another; -EIO when the data differs.
 *   leak           "1": map a page and allocate a coherent buffer, and
 *                  forget both, as a buggy driver does.
 *   bus_addresses  what the last round_trip or leak was given, in hex.
 *   import         a dma-buf file descriptor: attach and map it, and keep
 *                  it until "-1" or unbind.
 *   copy           "SRC DST LEN": edu copies LEN bytes (at most 1 KiB)
 *                  of the imported buffer from offset SRC to offset DST.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <kunit/qemu_edu.h>

#define EDU_DRIVER_NAME "dma-api-edu"

struct edu_client {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct mutex lock;	/* one transfer, one import at a time */
	dma_addr_t bus[2];
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
};

static struct edu_client *edu_client_of(struct device *dev)
{
	return pci_get_drvdata(to_pci_dev(dev));
}

/* One page in, one page out, through edu's buffer. */
static int edu_round_trip(struct edu_client *edu)
{
	struct device *dev = &edu->pdev->dev;
	dma_addr_t in, out;
	u8 *a, *b;
	int ret = -ENOMEM;

	a = kmalloc(PAGE_SIZE, GFP_KERNEL);
	b = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!a || !b)
		goto free;
	memset(a, 0x5c, PAGE_SIZE);
	in = dma_map_single(dev, a, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, in))
		goto free;
	out = dma_map_single(dev, b, PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, out))
		goto unmap_in;
	edu->bus[0] = in;
	edu->bus[1] = out;
	ret = qemu_edu_dma(edu->regs, in, false) &&
	      qemu_edu_dma(edu->regs, out, true) ? 0 : -ETIMEDOUT;
	dma_unmap_single(dev, out, PAGE_SIZE, DMA_FROM_DEVICE);
	if (!ret && memchr_inv(b, 0x5c, QEMU_EDU_XFER)) {
		dev_err(dev, "edu's copy through %pad and %pad differs\n",
			&in, &out);
		ret = -EIO;
	}
unmap_in:
	dma_unmap_single(dev, in, PAGE_SIZE, DMA_TO_DEVICE);
free:
	kfree(b);
	kfree(a);
	return ret;
}

/* What a driver that forgets its buffers at unbind leaves behind. */
static int edu_leak(struct edu_client *edu)
{
	struct device *dev = &edu->pdev->dev;
	struct page *page = alloc_page(GFP_KERNEL);
	dma_addr_t streaming, coherent;

	if (!page)
		return -ENOMEM;
	streaming = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, streaming)) {
		__free_page(page);
		return -ENOMEM;
	}
	if (!dma_alloc_coherent(dev, PAGE_SIZE, &coherent, GFP_KERNEL)) {
		dma_unmap_page(dev, streaming, PAGE_SIZE, DMA_FROM_DEVICE);
		__free_page(page);
		return -ENOMEM;
	}
	edu->bus[0] = streaming;
	edu->bus[1] = coherent;
	return 0;
}

static void edu_release_import(struct edu_client *edu)
{
	if (!edu->dmabuf)
		return;
	dma_buf_unmap_attachment_unlocked(edu->attach, edu->sgt,
					  DMA_BIDIRECTIONAL);
	dma_buf_detach(edu->dmabuf, edu->attach);
	dma_buf_put(edu->dmabuf);
	edu->dmabuf = NULL;
}

static int edu_import(struct edu_client *edu, int fd)
{
	struct dma_buf *dmabuf;
	int ret;

	edu_release_import(edu);
	if (fd < 0)
		return 0;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	edu->attach = dma_buf_attach(dmabuf, &edu->pdev->dev);
	if (IS_ERR(edu->attach)) {
		ret = PTR_ERR(edu->attach);
		goto put;
	}
	edu->sgt = dma_buf_map_attachment_unlocked(edu->attach,
						   DMA_BIDIRECTIONAL);
	if (IS_ERR(edu->sgt)) {
		ret = PTR_ERR(edu->sgt);
		goto detach;
	}
	edu->dmabuf = dmabuf;
	return 0;

detach:
	dma_buf_detach(dmabuf, edu->attach);
put:
	dma_buf_put(dmabuf);
	return ret;
}

/* The bus address of @len bytes at @offset of the import, or an error. */
static int edu_import_bus(struct edu_client *edu, size_t offset, size_t len,
			  dma_addr_t *bus)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(edu->sgt, sg, i) {
		if (offset < sg_dma_len(sg)) {
			if (len > sg_dma_len(sg) - offset)
				return -EINVAL;
			*bus = sg_dma_address(sg) + offset;
			return 0;
		}
		offset -= sg_dma_len(sg);
	}
	return -EINVAL;
}

static int edu_copy(struct edu_client *edu, size_t src, size_t dst, u32 len)
{
	dma_addr_t from, to;
	int ret;

	if (!edu->dmabuf)
		return -ENODATA;
	if (!len || len > QEMU_EDU_XFER)
		return -EINVAL;
	ret = edu_import_bus(edu, src, len, &from) ?:
	      edu_import_bus(edu, dst, len, &to);
	if (ret)
		return ret;
	if (!qemu_edu_dma_len(edu->regs, from, false, len) ||
	    !qemu_edu_dma_len(edu->regs, to, true, len))
		return -ETIMEDOUT;
	edu->bus[0] = from;
	edu->bus[1] = to;
	return 0;
}

/* Run @action on the edu of @dev, one at a time: @count, or its errno. */
static ssize_t edu_do(struct device *dev, int (*action)(struct edu_client *),
		      size_t count)
{
	struct edu_client *edu = edu_client_of(dev);
	int ret;

	mutex_lock(&edu->lock);
	ret = action(edu);
	mutex_unlock(&edu->lock);
	return ret ?: count;
}

static ssize_t round_trip_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t count)
{
	return edu_do(dev, edu_round_trip, count);
}
static DEVICE_ATTR_WO(round_trip);

static ssize_t leak_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	return edu_do(dev, edu_leak, count);
}
static DEVICE_ATTR_WO(leak);

static ssize_t bus_addresses_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct edu_client *edu = edu_client_of(dev);
	ssize_t len;

	mutex_lock(&edu->lock);
	len = sysfs_emit(buf, "%#llx %#llx\n", (u64)edu->bus[0],
			 (u64)edu->bus[1]);
	mutex_unlock(&edu->lock);
	return len;
}
static DEVICE_ATTR_RO(bus_addresses);

static ssize_t import_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct edu_client *edu = edu_client_of(dev);
	int fd, ret;

	ret = kstrtoint(buf, 0, &fd);
	if (ret)
		return ret;
	mutex_lock(&edu->lock);
	ret = edu_import(edu, fd);
	mutex_unlock(&edu->lock);
	return ret ?: count;
}
static DEVICE_ATTR_WO(import);

static ssize_t copy_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	struct edu_client *edu = edu_client_of(dev);
	size_t src, dst;
	u32 len;
	int ret;

	if (sscanf(buf, "%zu %zu %u", &src, &dst, &len) != 3)
		return -EINVAL;
	mutex_lock(&edu->lock);
	ret = edu_copy(edu, src, dst, len);
	mutex_unlock(&edu->lock);
	return ret ?: count;
}
static DEVICE_ATTR_WO(copy);

static struct attribute *edu_attrs[] = {
	&dev_attr_round_trip.attr,
	&dev_attr_leak.attr,
	&dev_attr_bus_addresses.attr,
	&dev_attr_import.attr,
	&dev_attr_copy.attr,
	NULL
};
ATTRIBUTE_GROUPS(edu);

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_client *edu;
	int ret;

	edu = devm_kzalloc(&pdev->dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	/* QEMU's dma_mask=0xffffffff: edu drops bus addresses above it. */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		return ret;
	edu->regs = pcim_iomap(pdev, 0, 0);
	if (!edu->regs)
		return -ENOMEM;
	pci_set_master(pdev);
	edu->pdev = pdev;
	mutex_init(&edu->lock);
	pci_set_drvdata(pdev, edu);
	return 0;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct edu_client *edu = pci_get_drvdata(pdev);

	mutex_lock(&edu->lock);
	edu_release_import(edu);
	mutex_unlock(&edu->lock);
	mutex_destroy(&edu->lock);
}

static struct pci_driver edu_driver = {
	.name		= EDU_DRIVER_NAME,
	.probe		= edu_probe,
	.remove		= edu_remove,
	.dev_groups	= edu_groups,
};
module_pci_driver(edu_driver);

MODULE_DESCRIPTION("QEMU edu driver for the DMA API's driver runs");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
