"""The robustness review's planted-PII replay (V01, V02): 44 personal-data strings planted into a
mainland judgment (CSV), a Taiwan judgment and a CAIL fact, built with `lawfactory data`; none may
survive in any file under DATA, the conversion work folder included."""

import csv
import json

import pytest

from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig

from conftest import SAMPLES

# (planted string, where it goes): 25 in the mainland judgment, 16 in the Taiwan one, 3 in CAIL
CN_PARTIES = ("曾用身份证号33010619850302123X、11010119900101123x，身份证登记为330106 19850302 1234，"
              "旧身份证330106850302123，护照号码E12345678，联系电话+8613812345601、+86 13812345602，")
CN_FACTS = ("被害人陈小红手机138-1234-5603、138 1234 5604、１３９１２３４５６０５，座机0571-87654306，"
            "住文三路123号5幢2单元301室，邮箱zhangsan1985@example.com。被告人张某将车辆浙A12345、浙AD12346"
            "停放于楼下，将赃款转入6222021234567890123、6222 0212 3456 7890、6222-0212-3456-7891及377712345678901，"
            "其本人手机13912345600，曾持台湾身分证B123456789。")
CN_REASONING = "被告人张某通过QQ号码987654321及微信wxid_abc123xyz联系被害人陈小红，"
CN_PLANTED = ["33010619850302123X", "11010119900101123x", "330106 19850302 1234", "330106850302123", "E12345678",
              "+8613812345601", "+86 13812345602", "138-1234-5603", "138 1234 5604", "１３９１２３４５６０５",
              "0571-87654306", "文三路123号5幢2单元301室", "zhangsan1985@example.com", "浙A12345", "浙AD12346",
              "6222021234567890123", "6222 0212 3456 7890", "6222-0212-3456-7891", "377712345678901",
              "13912345600", "B123456789", "QQ号码987654321", "wxid_abc123xyz", "陈小红"]
CN_DEFENDANT = "张某"

TW_FACTS = ("（車牌ABC-1234）。告訴人林小姐身分證統一編號Ａ２２３４５６７８９，另有a123456780、居留證號A800000014，"
            "行動電話0912-345-678、0912345679、0912 345 670，市話(02)2345-6789、02-23456780，"
            "帳戶12345678901234、012-345-678901，住臺北市中正區重慶南路一段122號")
TW_REASONING = "被告曾以電子郵件wang.daming@example.com.tw與告訴人聯繫，"
TW_PLANTED = ["A123456789", "Ａ２２３４５６７８９", "a123456780", "A800000014", "0912-345-678", "0912345679",
              "0912 345 670", "(02)2345-6789", "02-23456780", "12345678901234", "012-345-678901", "重慶南路一段122號",
              "ABC-1234", "wang.daming@example.com.tw", "林小姐"]
TW_DEFENDANT = "王大明"

CAIL_FACT = "被害人邹某（身份证33010619850302123X，手机13912345600）银行卡6222021234567890123内的存款被转走，"
CAIL_PLANTED = ["33010619850302123X", "13912345600", "6222021234567890123"]


def _plant(text: str, anchor: str, planted: str) -> str:
    assert anchor in text, anchor
    return text.replace(anchor, anchor + planted, 1)


def planted_raw(root):
    raw = root / "raw"
    (raw / "judgments" / "cn").mkdir(parents=True)
    (raw / "judgments" / "tw").mkdir(parents=True)
    (raw / "cail").mkdir(parents=True)

    with open(SAMPLES / "judgments" / "cn" / "cjo_criminal_2021.csv", encoding="utf-8-sig", newline="") as f:
        header, first = list(csv.reader(f))[:2]
    rec = dict(zip(header, first))
    full = _plant(rec["全文"], "公民身份号码330106198503021234，", CN_PARTIES)
    full = _plant(full, "经审理查明，", CN_FACTS)
    rec["全文"] = _plant(full, "本院认为，", CN_REASONING)
    with open(raw / "judgments" / "cn" / "pii.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerow([rec[k] for k in header])

    tw = json.loads((SAMPLES / "judgments" / "tw" / "TPDM_112_易_456_20230315_1.json").read_text(encoding="utf-8-sig"))
    full = _plant(tw["JFULL"], "竊取林小姐停放之機車1輛", TW_FACTS)
    tw["JFULL"] = _plant(full, "堪以採信。", TW_REASONING)
    (raw / "judgments" / "tw" / "TPDM_112_易_456_20230315_1.json").write_text(json.dumps(tw, ensure_ascii=False),
                                                                             encoding="utf-8")

    cail = json.loads((SAMPLES / "cail" / "criminal_sample.jsonl").read_text(encoding="utf-8").splitlines()[0])
    cail["fact"] = _plant(cail["fact"], "秘密窃取其放在电动车上的手提包一个，", CAIL_FACT)
    (raw / "cail" / "pii.jsonl").write_text(json.dumps(cail, ensure_ascii=False) + "\n", encoding="utf-8")
    return raw


def survivors(out, strings) -> dict[str, list[str]]:
    """Each planted string found in any file under DATA (.work included) → the files holding it."""
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    return {s: [name for name, data in files.items() if s.encode("utf-8") in data] for s in strings
            if any(s.encode("utf-8") in data for data in files.values())}


@pytest.mark.parametrize("pseudonymize", [False, True], ids=["V01-default", "V02-pseudonymize"])
def test_no_planted_string_survives_anywhere_under_data(tmp_path, pseudonymize):
    raw = planted_raw(tmp_path)
    for s in CN_PLANTED:
        assert s in (raw / "judgments" / "cn" / "pii.csv").read_text(encoding="utf-8"), s  # planted, really
    out = tmp_path / "data"
    manifest = build(BuildConfig.of(raw=raw, out=out, workers=1, pseudonymize=pseudonymize))

    cases = [json.loads(x) for x in (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()]
    by_source = {c["source"].split(":")[0]: c for c in cases}
    assert set(by_source) == {"judgments/cn/pii.csv", "judgments/tw/TPDM_112_易_456_20230315_1.json", "cail/pii.jsonl"}
    assert list((out / ".work" / "shards").rglob("cases.jsonl"))  # the work copies are there, and searched

    planted = CN_PLANTED + TW_PLANTED + CAIL_PLANTED + ([CN_DEFENDANT, TW_DEFENDANT] if pseudonymize else [])
    assert len(set(CN_PLANTED + [CN_DEFENDANT])) == 25 and len(TW_PLANTED + [TW_DEFENDANT]) == 16
    assert survivors(out, planted) == {}
    if not pseudonymize:  # defendants keep their names unless --pseudonymize
        assert by_source["judgments/tw/TPDM_112_易_456_20230315_1.json"]["defendant"] == TW_DEFENDANT

    # the text around each planted string is still there, with the placeholders in the case's script
    cn, tw, cail = (by_source[k] for k in ("judgments/cn/pii.csv", "judgments/tw/TPDM_112_易_456_20230315_1.json",
                                          "cail/pii.jsonl"))
    assert "被害人[姓名]手机[电话号码]、[电话号码]、[电话号码]，座机[电话号码]，住文三路[门牌号]" in cn["facts"]
    assert "QQ号码[社交账号]及微信[社交账号]联系被害人[姓名]" in cn["reasoning"]
    assert "行動電話[電話號碼]、[電話號碼]、[電話號碼]" in tw["facts"] and "[姓名]" in tw["facts"]
    assert "被害人邹某（身份证[身份证号码]，手机[电话号码]）银行卡[银行卡号]" in cail["facts"]
    stats = manifest["stats"]
    for kind, least in (("id_number", 9), ("phone", 14), ("bank_card", 7), ("email", 2), ("plate", 3),
                        ("address", 2), ("im_account", 2), ("passport", 1), ("name", 2)):
        assert stats.get(f"privacy: {kind} scrubbed", 0) >= least, (kind, stats)
