"""The one shape of an API error: a stable code, the field, and a message a person can read.

Every error body the HTTP shell (ohts_kit/http.py) answers carries `code` (stable, for
programs: the console maps it, tests assert it), `message` (Chinese, for people) and, for
refused input, `errors`: one entry per field with `field`, `rule`, `code` and `message_zh`.
The older keys (`detail`, each entry's English `message`) stay for existing clients.
"""

from __future__ import annotations

import re
from typing import Any

# One code per status the shell answers; a refusal's own code (a violation's rule) refines it.
STATUS_CODES = {
    400: ("bad_request", "请求格式有误"),
    401: ("unauthenticated", "需要登录，或登录已失效，请重新登录"),
    403: ("forbidden", "您的角色或辖区无权进行此操作"),
    404: ("not_found", "没有找到所请求的记录"),
    405: ("method_not_allowed", "不支持此操作"),
    409: ("conflict", "当前状态不允许此操作，未做任何更改"),
    413: ("too_large", "提交的内容过大"),
    422: ("invalid_input", "输入有误，未做任何更改"),
    429: ("too_many_requests", "访问过于频繁，请稍后再试"),
    503: ("unavailable", "系统暂时无法服务，未做任何更改，请稍后再试"),
}

# pydantic's error types, in Chinese (what a person reads next to the field).
PYDANTIC_ZH = {
    "missing": "必填",
    "extra_forbidden": "不接受此项",
    "string_type": "应为文字",
    "string_too_short": "内容过短或为空",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "bool_parsing": "应为是或否",
    "bool_type": "应为是或否",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "date_parsing": "不是有效的日期（年-月-日）",
    "date_from_datetime_parsing": "不是有效的日期（年-月-日）",
    "date_type": "不是有效的日期（年-月-日）",
    "datetime_parsing": "不是有效的时间",
    "datetime_from_date_parsing": "不是有效的时间",
    "literal_error": "不是可选的值之一",
    "enum": "不是可选的值之一",
    "list_type": "应为列表",
    "too_short": "至少需要一项",
    "too_long": "项数过多",
    "dict_type": "格式不正确",
    "model_type": "格式不正确",
    "json_invalid": "不是有效的 JSON",
    "uuid_parsing": "不是有效的编号",
    "value_error": "不符合规则",
    "assertion_error": "不符合规则",
}

_CJK = re.compile(r"[\u4e00-\u9fff]")
_CODE = re.compile(r"[^a-z0-9]+")
_OUTSIDE = re.compile(r"is outside (.+?)(?: for |$)")


def code_of(rule: str) -> str:
    """A stable snake_case code from a rule name ('GB/T 2260' -> 'gb_t_2260')."""
    return _CODE.sub("_", rule.lower()).strip("_") or "rule"


def chinese(message: str, rule: str) -> str:
    """The Chinese message of a violation: its own when it is Chinese, else the rule's."""
    outside = _OUTSIDE.search(message)
    if outside and rule.startswith("statutory range"):
        basis = rule[len("statutory range") :].strip(" ()")
        bounds = outside.group(1).replace(" yuan", " 元")
        return f"超出法定处罚幅度（{bounds}），依据：{basis}"
    if _CJK.search(message):
        return message
    known = PYDANTIC_ZH.get(rule)
    if known:
        return known
    return f"不符合规则「{rule}」：{message}" if message else f"不符合规则「{rule}」"


def violation(field: str, rule: str, message: str) -> dict[str, str]:
    return {
        "field": field,
        "rule": rule,
        "message": message,
        "code": code_of(rule),
        "message_zh": chinese(message, rule),
    }


def body(status: int, detail: Any, **extra: Any) -> dict[str, Any]:
    """An error body for `status`: the shell's code and Chinese message, `detail` kept."""
    code, message = STATUS_CODES.get(status, ("error", "出现错误"))
    errors = extra.get("errors")
    if status == 422 and isinstance(errors, list) and errors:
        first = errors[0]
        message = f"{message}：{first['field']} {first['message_zh']}"
    return {"detail": detail, "code": code, "message": message, **extra}
