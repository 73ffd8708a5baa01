"""Values that follow from others: 性别 and 出生日期 from a valid resident identity number."""

from ..idcard import birth_date, is_valid, sex_code


def derivable(values, catalogue):
    """Return {key: text} for empty 性别/出生日期 a valid resident ID number (身份证件类型 = 1) gives."""
    id_type, number = values.get("id_type", ""), values.get("id_number", "")
    if id_type.partition("-")[0] != catalogue.rules.code("resident_card") or not is_valid(number):
        return {}
    derived = {}
    if values.get("sex") == "":
        derived["sex"] = catalogue.table("sex").get(sex_code(number)).label
    if values.get("birth_date") == "":
        derived["birth_date"] = birth_date(number).isoformat()
    return derived
