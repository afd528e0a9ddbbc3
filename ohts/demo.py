"""Demo data, loaded through the public command APIs with real tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import httpx

from contracts.envelope import Role
from ohts_kit.auth import issue_token
from ohts_kit.settings import Settings
from services.registry.domain.uscc import make_uscc


@dataclass(frozen=True)
class DemoInstitution:
    name: str
    region_code: str
    serial: str
    kind: str
    address: str
    legal_representative: str
    certificate_number: str | None
    qualification_kind: str | None
    scopes: tuple[str, ...]


INSTITUTIONS = (
    DemoInstitution(
        "浙江省职业病防治研究院检测中心",
        "330106",
        "470000001",
        "occupational-health-service",
        "杭州市西湖区文三路100号",
        "王建国",
        "(浙)卫职技字(2023)第0001号",
        "occupational-health",
        ("OH-02", "OH-04"),
    ),
    DemoInstitution(
        "杭州安康职业卫生技术服务有限公司",
        "330105",
        "470000002",
        "occupational-health-service",
        "杭州市拱墅区湖墅南路58号",
        "李明",
        "(浙)卫职技字(2024)第0012号",
        "occupational-health",
        ("OH-01", "OH-03", "OH-04"),
    ),
    DemoInstitution(
        "浙江辐安放射卫生技术服务中心",
        "330102",
        "470000003",
        "radiological-health-service",
        "杭州市上城区解放路18号",
        "陈晓",
        "(浙)卫放技字(2022)第0005号",
        "radiological-health",
        ("RH-01", "RH-02", "RH-03"),
    ),
    DemoInstitution(
        "云南滇康职业卫生检测评价有限公司",
        "530102",
        "470000004",
        "occupational-health-service",
        "昆明市五华区人民中路66号",
        "张丽",
        "(滇)卫职技字(2023)第0008号",
        "occupational-health",
        ("OH-01", "OH-02"),
    ),
    DemoInstitution(
        "河南中原职业卫生技术服务有限公司",
        "410105",
        "470000005",
        "occupational-health-service",
        "郑州市金水区花园路12号",
        "赵强",
        "(豫)卫职技字(2024)第0021号",
        "occupational-health",
        ("OH-03", "OH-04", "OH-06"),
    ),
    DemoInstitution(
        "广西桂卫放射防护检测中心",
        "450103",
        "470000006",
        "radiological-health-service",
        "南宁市青秀区民族大道88号",
        "韦海",
        "(桂)卫放技字(2023)第0003号",
        "radiological-health",
        ("RH-02", "RH-04"),
    ),
    DemoInstitution(
        "杭州市西湖区职业健康检查中心",
        "330106",
        "470000007",
        "health-examination",
        "杭州市西湖区天目山路200号",
        "周敏",
        None,
        None,
        (),
    ),
)


def load_demo(settings: Settings, registry_url: str) -> list[str]:
    """Register the demo institutions and grant their qualifications; returns their ids."""
    ids: list[str] = []
    with httpx.Client(base_url=registry_url, timeout=30) as client:
        for item in INSTITUTIONS:
            token = issue_token(
                settings,
                role=Role.REGISTRY_AUTHORITY,
                region_code=item.region_code[:2] + "0000",
                subject=f"demo-authority-{item.region_code[:2]}",
            )
            headers = {"Authorization": f"Bearer {token}"}
            response = client.post(
                "/api/v1/institutions",
                headers=headers,
                json={
                    "uscc": make_uscc(item.region_code, item.serial),
                    "name": item.name,
                    "address": item.address,
                    "legal_representative": item.legal_representative,
                    "nature": "企业" if "有限公司" in item.name else "事业单位",
                    "kind": item.kind,
                    "region_code": item.region_code,
                    "contacts": [{"name": item.legal_representative, "phone": "0571-88000000"}],
                },
            )
            response.raise_for_status()
            institution_id = response.json()["id"]
            ids.append(institution_id)
            if item.certificate_number:
                start = date(2023, 3, 1)
                response = client.post(
                    "/api/v1/qualifications",
                    headers=headers,
                    json={
                        "institution_id": institution_id,
                        "certificate_number": item.certificate_number,
                        "kind": item.qualification_kind,
                        "scope_codes": list(item.scopes),
                        "valid_from": start.isoformat(),
                        "valid_until": start.replace(year=start.year + 5).isoformat(),
                    },
                )
                response.raise_for_status()
    return ids
