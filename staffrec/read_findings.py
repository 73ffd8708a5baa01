"""Finding types a template reader reports about the file itself."""

from .findings import ERROR, WARNING, finding_type

_RESAVE = "请在 Excel 或 WPS 中打开后“另存为”Excel 97-2003 工作簿（.xls），不要直接修改扩展名。"

FILE_EMPTY = finding_type(
    "file.empty", ERROR, "文件是空的，没有任何内容。请重新保存本校采集模板后再上传。"
)
FILE_NOT_WORKBOOK = finding_type(
    "file.not_workbook",
    ERROR,
    "文件实际是{description}，不是 Excel 工作簿，无法读取。请使用下发的本校采集模板填写后上传。",
)
FILE_WRONG_FORMAT = finding_type(
    "file.wrong_format",
    ERROR,
    "文件扩展名是 {extension}，实际却是{description}。" + _RESAVE,
)
FILE_UNSUPPORTED = finding_type(
    "file.unsupported", ERROR, "文件是{description}，系统无法读取。" + _RESAVE
)
FILE_ENCRYPTED = finding_type(
    "file.encrypted",
    ERROR,
    "文件设置了打开密码，系统无法读取。请在 Excel 或 WPS 中取消密码后保存，再重新上传。",
)
FILE_INFLATED = finding_type(
    "file.inflated",
    ERROR,
    "文件解压后至少有 {size} MB，远超采集模板应有的大小（最多 {limit} MB），可能已损坏或被恶意构造，系统拒绝读取。"
    "请用 Excel 打开后另存为 Excel 97-2003 工作簿（.xls）再上传。",
)
FILE_CORRUPT = finding_type(
    "file.corrupt",
    ERROR,
    "文件已损坏，无法打开。请用 Excel 或 WPS 打开检查，能打开的另存为 .xls 后重新上传；打不开的请重新录入。",
)
SHEET_MISSING = finding_type(
    "sheet.missing",
    ERROR,
    "找不到“{sheet}”工作表，其他工作表中也没有采集模板的表头。请使用下发的本校采集模板，不要删除或改名工作表。",
)
SHEET_RENAMED = finding_type(
    "sheet.renamed",
    WARNING,
    "数据所在工作表名为“{value}”，应为“{sheet}”。请把工作表名称改回“{sheet}”。",
)
HEADER_NOT_FOUND = finding_type(
    "header.not_found",
    ERROR,
    "“{sheet}”工作表前 {rows} 行中找不到表头行。请使用原始模板，不要删除或清空表头。",
)
CELL_CONTROL = finding_type(
    "cell.control_chars",
    ERROR,
    "“{column}”含有看不见的控制字符（{chars}），多半是从其他系统复制粘贴带来的。请清空该单元格后重新输入。",
)
HEADER_REPEATED = finding_type(
    "header.repeated",
    WARNING,
    "第 {row} 行重复了表头，已跳过。请删除这一行。",
)
KIND_HEADER_MISMATCH = finding_type(
    "kind.header_mismatch",
    ERROR,
    "模板标识或文件名表明这是“{expected}”，表头却是“{actual}”的。模板不能混用，请把数据填入本校下发的模板。",
)
HEADER_MISSING = finding_type(
    "header.missing",
    ERROR,
    "表头缺少“{column}”列（应在第 {expected} 列）。请使用原始模板，不要删除列。",
)
HEADER_EXTRA = finding_type(
    "header.extra",
    ERROR,
    "表头第 {position} 列“{value}”不是本模板的列。模板不能增加列，请删除该列或改用原始模板。",
)
HEADER_MOVED = finding_type(
    "header.moved",
    ERROR,
    "“{column}”列的位置被移动：应在第 {expected} 列，现在第 {actual} 列。请使用原始模板，不要调整列的顺序。",
)
STAMP_MISSING = finding_type(
    "stamp.missing",
    ERROR,
    "工作簿中没有模板标识：文件不是下发的本校采集模板，或隐藏的“{sheet}”工作表被删除。请使用下发的本校采集模板重新填写。",
)
KIND_UNKNOWN = finding_type(
    "kind.unknown",
    ERROR,
    "无法判断这是哪一类采集模板（模板标识、文件名和表头都不能说明）。请使用下发的本校采集模板。",
)
