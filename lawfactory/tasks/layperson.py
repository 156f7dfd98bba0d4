"""Layperson questions about a 分则 article: its offence description reworded the way a non-lawyer
asks (`retrieval_queries_questions_eval`, lawfactory/tasks/retrieval_queries.py).

A statute QA reverse lookup quotes an article's text and asks where it comes from; a user of a
legal assistant instead describes what happened in everyday words. The rules here turn an article
into such a question, with no per-article text:

1. **The conduct clause** (`conducts`): an offence article defines the conduct first and the penalty
   after it — "盗窃公私财物，数额较大的，处…", "意圖…而竊取他人之動產者，處…". The conduct is the
   text of a paragraph's first line before the first `的，` / `者，` that a penalty word follows (处 /
   處 / 依照 / 依 / 对 …). A line listing cases ("有下列情形之一的", "為下列行為之一者") is completed
   by each of its items in turn. The question describes the article's first usable clause.
   Alternatives joined by "的，或者" are separate descriptions; one is taken.
   Clauses that refer to another provision (前款, 本条, 第X条, 前條之罪 …) mean nothing to a layperson
   and are skipped; an article with no usable clause gets no question (counted).
2. **Everyday wording** (`LEXICON`): legal terms → the words a non-lawyer uses (公私财物 → 别人的东西,
   胁迫 → 威胁, 数额较大 → 金额不小, 国家工作人员 → 公务员; Taiwan: 意圖為自己或第三人不法之所有 →
   想據為己有, 動產 → 東西, 之 → 的, 於 → 在), longest term first, with alternatives drawn from the
   article's seeded Random. Catch-all tails ("或者其他方法", "或以他法", "或者有其他严重情节") are dropped,
   and a clause over MAX_CHARS keeps its leading comma-separated parts.
3. **A question template** (`TEMPLATES`): "我朋友……，会判刑吗？", "有人……，犯的是什么罪？依据哪条法律？",
   "請問……會觸犯哪一條？"; a clause that starts with who acted ("国家工作人员利用…") reads
   "我朋友是公务员，利用…".

`overlap` measures how far a question is from the article text: the share of its characters (and
character bigrams) that also occur in the article. docs/statutes.md gives the figures.
"""

from __future__ import annotations

import random
import re

# The end of the conduct clause: 的 / 者, a comma, then the penalty or a rule about it.
PENALTY = re.compile(
    r"[的者]\s*，(?=处|處|依照|依|对|對|从重|從重|加重|减|減|判处|亦同|罚|罰|以|应当|應|科|免|適用|适用|[为為是][^，]*罪)"
)
# A clause that leans on another provision: without it the description means nothing.
REFERENCE = re.compile(
    r"前[两二三四]?[条條款项項]|本[条條款项項节節章法编編]|第[0-9一二三四五六七八九十百千零〇]+[条條款项項]|"
    r"各[条條]|[该該][条條]|之罪|上述|前述|^因而|^因此"
)
# "…，有下列情形之一" / "…而有下列情形之一" / "公然為下列行為之一": the clause is completed by an item.
LIST_LEAD = re.compile(r"([，而])?(?:有|为|為)?[下左]列[^，：:]*?之一")
ITEM_NUMBER = re.compile(r"^(?:（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)")
# Alternative descriptions in one clause ("数额较大的，或者多次盗窃").
ALTERNATIVES = re.compile(r"[的者]，或者?")
# Catch-all tails: "或者其他方法", "或以他法", "或者有其他严重情节", "或其他相類之物".
CATCH_ALL = re.compile(r"，?或者?有其他[^，；。]*?情节|或者?(?:以)?其他[^，；、。]{0,8}?(?:方法|手段|方式)|或以他法|"
                       r"或者?其他[^，；、。]{0,10}?(?:物品|物质|物質|之物|财物|財物|设备|設備|场所|場所|机构|機構|人员|人員|"
                       r"工具|文件|文書|证件|證件|行为|行為)|或其他相類[之的][^，；、。]{0,10}")
MAX_CHARS = 48  # a longer clause keeps its leading comma-separated parts up to this length

# Legal term → everyday wording (alternatives are drawn per article). Applied longest term first, so
# "故意伤害他人身体" is rewritten before "他人".
LEXICON: dict[str, dict[str, tuple[str, ...]]] = {
    "cn": {
        "以非法占有为目的": ("想占为己有", "想据为己有"),
        "以营利为目的": ("为了赚钱",),
        "以牟利为目的": ("为了赚钱",),
        "非法占为己有": ("私吞",),
        "占为己有": ("据为己有",),
        "公私财物": ("别人的财物", "别人的东西"),
        "公私财产": ("别人的财产",),
        "他人财物": ("别人的钱财", "别人的钱"),
        "故意伤害他人身体": ("故意把别人打伤",),
        "伤害他人身体": ("把别人打伤",),
        "故意杀人": ("故意把人杀了",),
        "他人": ("别人",),
        "被害人": ("受害人",),
        "妇女": ("女性", "女人"),
        "儿童": ("小孩",),
        "幼女": ("小女孩",),
        "未成年人": ("未成年的孩子",),
        "国家机关工作人员": ("政府部门的公务员", "机关干部"),
        "国家工作人员": ("公务员",),
        "司法工作人员": ("法官、检察官或者警察",),
        "工作人员": ("员工",),
        "国家机关": ("政府部门",),
        "公司、企业": ("公司",),
        "利用职务上的便利": ("利用工作上的方便", "借着职务方便"),
        "利用职务便利": ("利用工作上的方便",),
        "为他人谋取利益": ("帮人办事",),
        "谋取不正当利益": ("捞好处",),
        "谋取利益": ("办事",),
        "索取": ("要",),
        "非法收受": ("私下收了",),
        "收受": ("收了",),
        "胁迫": ("威胁", "逼迫"),
        "暴力": ("暴力", "动手"),
        "殴打": ("打",),
        "侮辱": ("羞辱",),
        "诽谤": ("造谣中伤",),
        "捏造": ("编造",),
        "散布": ("到处传",),
        "虚假": ("假的",),
        "虚伪": ("假的",),
        "数额特别巨大": ("金额特别大",),
        "数额巨大": ("金额很大",),
        "数额较大": ("金额不小", "数目不小"),
        "情节特别严重": ("情况特别严重",),
        "情节严重": ("情况严重", "性质挺严重"),
        "情节恶劣": ("性质很恶劣",),
        "造成严重后果": ("后果很严重", "出了大事"),
        "严重后果": ("很严重的后果",),
        "重大损失": ("很大损失",),
        "遭受": ("受到",),
        "致人重伤": ("让人受了重伤",),
        "致人死亡": ("导致有人死了",),
        "重伤": ("重伤",),
        "致使": ("结果",),
        "造成": ("导致",),
        "违反国家规定": ("没按国家规定", "不守国家的规定"),
        "违反": ("违反", "不遵守"),
        "管理法规": ("管理规定",),
        "法规": ("规定",),
        "依法": ("按法律",),
        "滥用职权": ("乱用手中的权力",),
        "徇私舞弊": ("为了私情弄虚作假",),
        "严重不负责任": ("工作很不负责",),
        "玩忽职守": ("工作失职",),
        "负有": ("有",),
        "不符合": ("不合",),
        "提供": ("给", "提供"),
        "销售": ("卖",),
        "以暴力": ("用暴力",),
        "方法": ("办法", "手段"),
        "未经": ("没经过",),
        "许可": ("批准",),
        "明知": ("明明知道",),
        "过失": ("不小心", "一时疏忽"),
        "擅自": ("私自",),
        "非法持有": ("私藏",),
        "非法": ("私自",),
        "伪造": ("造假", "仿造"),
        "变造": ("篡改",),
        "故意毁坏": ("故意弄坏",),
        "毁坏": ("弄坏",),
        "销毁": ("毁掉",),
        "窃取": ("偷",),
        "盗窃": ("偷",),
        "抢夺": ("抢走",),
        "骗取": ("骗",),
        "侵占": ("私吞",),
        "隐匿": ("藏起",),
        "藏匿": ("藏",),
        "出售": ("卖",),
        "购买": ("买",),
        "收买": ("花钱买",),
        "贩卖": ("倒卖",),
        "携带": ("带着",),
        "枪支、弹药": ("枪和子弹",),
        "爆炸物": ("炸药",),
        "淫秽物品": ("黄色的东西",),
        "淫秽": ("黄色",),
        "物品": ("东西",),
        "财物": ("钱财", "东西"),
        "危害公共安全": ("危及大家的安全",),
        "公共安全": ("大家的安全",),
        "公共场所": ("公共场合",),
        "聚众": ("纠集一帮人",),
        "阻碍": ("阻挠",),
        "执行职务": ("执行公务",),
        "机动车": ("车",),
        "驾驶": ("开",),
        "醉酒": ("喝醉",),
        "追逐竞驶": ("飙车",),
        "开设赌场": ("开赌场",),
        "冒充": ("假扮",),
        "招摇撞骗": ("到处行骗",),
        "拒不": ("就是不",),
        "退还": ("还",),
        "归还": ("还",),
        "足以": ("可能",),
        "实施": ("做",),
        "进行": ("搞",),
        "作伪证": ("做假证",),
    },
    "tw": {
        "意圖為自己或第三人不法之所有": ("想據為己有", "想把東西佔為己有"),
        "意圖為自己或第三人不法之利益": ("為了佔便宜",),
        "意圖營利": ("為了賺錢",),
        "意圖": ("想要", "為了"),
        "他人之動產": ("別人的東西",),
        "動產": ("東西",),
        "他人": ("別人",),
        "第三人": ("別人",),
        "本人": ("他自己",),
        "依法令從事公務之人員": ("公務員",),
        "強暴、脅迫": ("暴力或威脅",),
        "強暴": ("暴力",),
        "脅迫": ("威脅", "逼迫"),
        "以詐術": ("用騙的",),
        "詐術": ("騙術",),
        "交付": ("交出",),
        "竊取": ("偷走", "偷"),
        "竊佔": ("霸佔",),
        "搶奪": ("搶走",),
        "強盜": ("搶劫",),
        "傷害人之身體或健康": ("把人打傷",),
        "殺人": ("殺人",),
        "致人於死": ("害人死亡", "讓人死掉"),
        "致重傷": ("讓人重傷",),
        "致生公共危險": ("危害到大家的安全",),
        "足以生損害於公眾或他人": ("會害到別人",),
        "公眾": ("大家",),
        "無故": ("沒有正當理由", "平白無故"),
        "洩漏": ("洩露", "說出去"),
        "偽造": ("造假", "仿造"),
        "變造": ("竄改",),
        "意圖供行使之用": ("想拿去用",),
        "供行使之用": ("拿去用",),
        "行使": ("使用",),
        "致生損害於": ("害到",),
        "致生危害於": ("危害到",),
        "致生": ("造成",),
        "公文書": ("公家文件",),
        "私文書": ("私人文件",),
        "文書": ("文件",),
        "公然": ("當眾", "公開"),
        "侮辱": ("羞辱",),
        "賄賂或其他不正利益": ("紅包或好處",),
        "不正利益": ("好處",),
        "收受": ("收下",),
        "私行拘禁": ("私自把人關起來",),
        "剝奪人之行動自由": ("限制別人的行動自由",),
        "遺棄": ("丟下不管",),
        "無自救力之人": ("沒辦法照顧自己的人",),
        "隱匿": ("藏起",),
        "藏匿": ("藏",),
        "毀損": ("弄壞",),
        "交付於人": ("交給別人",),
        "損壞": ("弄壞",),
        "毀棄": ("毀掉",),
        "建築物": ("房子",),
        "住宅": ("住家",),
        "現供人使用之": ("有人在用的",),
        "現有人所在之": ("裡面有人的",),
        "駕駛": ("開",),
        "動力交通工具": ("車子",),
        "場所": ("地方",),
        "使人": ("讓人",),
        "之際": ("的時候",),
        "犯罪": ("犯法",),
        "職務上": ("工作上",),
        "職務": ("工作",),
        "違背": ("違反", "不遵守"),
        "依法令": ("依照法令",),
        "依法": ("依照法律",),
        "妨害": ("妨礙", "干擾"),
        "為性交": ("發生性關係",),
        "性交": ("發生性關係",),
        "為猥褻之行為": ("做猥褻的事",),
        "男女": ("人",),
        "物品": ("東西",),
        "明知": ("明明知道",),
        "販賣": ("賣",),
        "恐嚇": ("威脅", "嚇唬"),
        "製造": ("做",),
        "陳列": ("擺出來",),
        "電磁紀錄": ("電子檔案",),
        "期約": ("約定",),
        "逮捕": ("抓",),
        "拘禁": ("關起來",),
        "持有": ("藏有",),
        "散布": ("散播",),
        "除去": ("拿掉",),
        "污辱": ("羞辱",),
    },
}
# each lexicon as one pattern, longest term first (故意伤害他人身体 before 他人)
LEXICON_RE = {j: re.compile("|".join(map(re.escape, sorted(lex, key=len, reverse=True)))) for j, lex in LEXICON.items()}
# 之 and 於 as classical particles (Taiwan statutes) → 的 and 在, unless part of a fixed word.
PARTICLES = {"tw": [(re.compile(r"(?<!分)之(?![一間际際外內内後后前下上中日])"), "的"), (re.compile(r"對於"), "對"),
                    (re.compile(r"(?<![關由至等])於"), "在"),
                    (re.compile(r"，而"), "，就")]}
# Who acted, when a clause starts with it: "国家工作人员利用…" → "我朋友是公务员，利用…".
ACTOR = re.compile(
    r"^有?([^，；以对對向将將把在於为為阻使]{0,20}?(?:公务员|公務員|人员|人員|员工|員工|职工|職工|军人|軍人|医生|醫師|干部|負責人|负责人|警察))"
    r"(?=，|利用|工作|在|对|對|违|違|徇|因|擅|私|假|滥|濫|玩|严重|嚴重|收|索|明知|故意|无故|無故|洩|泄|不|於|于|将|將|与|與|以|为|為|違|包庇)"
)

TEMPLATES = {
    "cn": ["我朋友{c}，会判刑吗？", "有人{c}，犯的是什么罪？依据哪条法律？", "请问{c}，会触犯哪一条？",
           "我邻居{c}，这算犯法吗？会怎么判？", "如果{c}，会坐牢吗？", "听说亲戚{c}，这属于什么罪？"],
    "tw": ["我朋友{c}，會被判刑嗎？", "有人{c}，這是犯什麼罪？依據哪條法律？", "請問{c}，會觸犯哪一條？",
           "我鄰居{c}，這樣算犯法嗎？", "如果{c}，會不會坐牢？", "聽說親戚{c}，這算什麼罪？"],
}
# The subjects a template opens with (the clause follows directly: "是" links an actor to them).
SUBJECTS = {"cn": ("我朋友", "有人", "我邻居", "听说亲戚"), "tw": ("我朋友", "有人", "我鄰居", "聽說親戚")}


def _clause(line: str) -> str | None:
    """The text before the penalty in one line of an article, or None when the line has none."""
    m = PENALTY.search(line)
    return line[:m.start()] if m else None


def _item_text(item: str) -> str:
    """An item's own description: its number, the trailing 的；/者。 and what follows its first clause end."""
    t = ITEM_NUMBER.sub("", item.strip()).rstrip("；;。.")
    t = re.split(r"[的者]，", t, maxsplit=1)[0]
    return re.sub(r"[的者]$", "", t)


def conducts(a: dict) -> list[str]:
    """The usable conduct clauses of an article, in paragraph order (rule 1 of the module docstring);
    a clause that lists cases yields one clause per item."""
    out = []
    for p, para in enumerate(a["paragraphs"], 1):
        lead = para.split("\n", 1)[0]
        clause = _clause(lead)
        items = [it["text"] for it in a["items"] if it["paragraph"] == p]
        if items and re.search("[下左]列", lead if clause is None else clause):
            head = clause or ""
            m = LIST_LEAD.search(head)
            if m:
                head = head[:m.start()] + ("，" if m.group(1) and m.start() else "")
            out += [c for it in items if not REFERENCE.search(c := head + _item_text(it))]
        elif clause and not REFERENCE.search(clause):
            out.append(clause)
    return [c for c in out if len(c) >= 2]


def _everyday(clause: str, j: str, rng: random.Random) -> str:
    """Rule 2 of the module docstring: one alternative, catch-all tails dropped, legal terms replaced,
    length capped."""
    parts = ALTERNATIVES.split(clause)
    c = CATCH_ALL.sub("", rng.choice(parts))
    lexicon = LEXICON[j]
    c = LEXICON_RE[j].sub(lambda m: rng.choice(lexicon[m.group(0)]), c)
    for pat, repl in PARTICLES.get(j, ()):
        c = pat.sub(repl, c)
    c = re.sub("的的", "的", c).strip("，、；")
    if len(c) > MAX_CHARS:  # the leading comma-separated parts up to MAX_CHARS, at least one
        cut = max(c.rfind(s, 0, MAX_CHARS) for s in "，；")
        c = c[:cut] if cut > 0 else re.split("[，；]", c, maxsplit=1)[0]
    return c


def question(a: dict, rng: random.Random) -> str | None:
    """A layperson question whose answer is article `a`, or None when it has no usable conduct clause."""
    j = a["jurisdiction"]
    found = conducts(a)
    if not found:
        return None
    c = _everyday(found[0], j, rng)
    template = rng.choice(TEMPLATES[j])
    m = ACTOR.match(c)
    subject = next((s for s in SUBJECTS[j] if template.startswith(s + "{c}")), None)
    if m and subject:  # "我朋友是公务员，利用工作上的方便…"
        c = f"是{m.group(1)}，{c[m.end():].lstrip('，')}"
    return template.format(c=c)


def _bigrams(s: str) -> list[str]:
    return [s[i:i + 2] for i in range(len(s) - 1)]


def overlap(query: str, body: str) -> tuple[float, float]:
    """(characters, character bigrams) of `query` that also occur in `body` (the text of the
    articles it asks for), as shares of the query's; punctuation and spaces are left out, bigrams
    do not span them. 1.0 for a verbatim quote; lower is further from the statute's wording."""
    runs = [r for r in re.split(r"[\W_]+", query) if r]
    chars = set(body)
    n = sum(map(len, runs))
    grams = [g for r in runs for g in _bigrams(r)]
    return (sum(ch in chars for r in runs for ch in r) / n if n else 0.0,
            sum(g in body for g in grams) / len(grams) if grams else 0.0)
