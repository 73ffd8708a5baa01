"""staffrec: staff basic-information collection (教职工基础信息采集) for a region's schools."""
