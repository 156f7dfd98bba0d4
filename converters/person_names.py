"""Victims', witnesses' and account holders' names, found by the word that introduces them.

被害人陈小红, 證人林福山, 告訴人林小姐, 户名：尤国珍: a role word, then a name — a common surname and
one or two given-name characters (three after a second surname: Taiwan married names, 王葉春美),
or a surname and 先生/小姐/女士. What makes a candidate not a name is listed below, each list from
what follows the role words in real judgments and CAIL facts (被害人陈述, 證人於偵查中, 被害人的
谅解, 被害人左大腿). Masked names (王某, 李某1, 钱钱某, 甲○○, 刘XX) are already anonymous and are
not returned. Defendants are never returned: a name also written after 被告/被告人/上诉人 is a
defendant's (they are renamed only with --pseudonymize).
"""

from __future__ import annotations

import re

_ROLES = ("被害人|被害者|受害人|告訴人|告诉人|證人|证人|报案人|報案人|报警人|報警人|见证人|見證人"
          "|户名|戶名|持卡人|开户人|開戶人")
_COMPOUND = ("欧阳|歐陽|司马|司馬|诸葛|諸葛|上官|东方|東方|皇甫|尉迟|尉遲|公孙|公孫|慕容|长孙|長孫|宇文|司徒|夏侯|令狐|"
             "端木|澹台|澹臺|西门|西門|南宫|南宮|闻人|聞人|申屠|独孤|獨孤|万俟|范姜|張簡|张简")
_SURNAMES = (
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖蕭萧田董"
    "袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦韋付方白邹鄒孟熊秦邱江尹薛闫閻"
    "段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯常温溫康施文牛樊葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊"
    "聂聶章鲁魯岳翟殷詹申欧歐耿关關兰蘭焦俞左柳甘祝包宁寧尚符舒阮柯纪紀梅童凌毕畢单單季裴霍涂塗成苗谷盛曲翁冉骆駱"
    "蓝藍路游辛靳管柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤阳陽时時穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁窦竇"
    "戚岑景党黨宫宮费費卜冷晏席卫衛米柏宗瞿桂全佟应應臧闵閔苟邬鄔边邊卞姬师師和仇栾欒隋商刁沙荣榮巫寇桑郎甄丛叢仲虞"
    "敖巩鞏明佘池查麻苑迟遲邝鄺官封谈談匡鞠惠荆荊乐樂冀郁胥南班储儲原栗燕楚鄢劳勞谌諶奚皮粟冼蔺藺楼樓盘盤满滿闻聞"
    "位厉厲伊仝区區郜海阚闞花权權强強帅帥屠豆朴盖蓋练練廉禹井祖漆巴丰風支卿国國狄平计計索宣晋晉相初门門云雲容敬"
    "扈晁芮都普阙闕浦戈伏鹿薄邸雍辜羊阿乌烏母裘亓修邰赫杭况況那宿鲜鮮印逯隆茹诸諸战戰慕危玉银銀亢嵇公哈湛宾賓戎勾"
    "茅利呼居揭干但尉冶斯元束檀衣信展阴陰昝智幸奉植衡富尧堯闭閉由洪赖賴傅阎丘粘凃鐘")
# characters that end a name: what follows a name in a sentence (的、称、於警詢、手机…), and what no
# given name is made of; a candidate starting with a word (陈述, 於偵查) is not a name
_NOT_GIVEN = set("的之及与與和或等称稱述说說讲講证證供指认認报報到去来來从從以用被将將把向对對在于於是为為因经經所"
                 "并並也又均都就才即亦曾要会會能可已其们們某方面后後时時处處上下中内內外前间間名人家属屬身亲親友"
                 "本该該此各每全多少个個次年日号號元和称稱系係乃则則而但却卻若如若当當"
                 "等某甲乙丙丁戊己庚辛壬癸○〇×Ｘ＊*手电電住居现現出生男女于述警詢询偵侦審审訊讯账帳户戶卡款钱錢"
                 "腿脚腳臂头頭部眼脸臉胸腹背腰颈頸肩耳鼻嘴口牙骨伤傷血带帶车車"
                 "怎雖虽只還还再仍沒没不未很更最太非")
# what follows a name in a judgment (被害人李梅轻伤, 张伟死亡, 王芳陈述, 林小明辯稱, 王某驾驶, 甲○○競選):
# from the characters after masked names (王某, 张某某, 甲○○) in the real LeCaRD, CAIL and 司法院 texts,
# less the ones that are given names too (none of these is one among ~1,900 full names in the same
# judgments: judges, clerks, lawyers, Taiwan defendants). Never taken as a given-name character.
_FOLLOWS = set("轻輕死亡受伤傷陈陳诉訴辩辯犯打驾駕停放窜竄持拿收交借转轉帮幫找叫让讓陪赔賠给給跟趁退签簽租"
               "盗盜贩販抓骑騎无無提回父两兩故主遂随隨另欲既嗣涉确確竞競担擔表贿賄仅僅赠贈请請拉投买買"
               "购購否服选選邀坦负負议議")
# the same for characters that given names do use (李重直, 高至良, 黃天送, 何連參 are witnesses in
# those judgments), as the word they start (张伟明知 is 张伟 + 明知, 李梅重伤 is 李梅 + 重伤)
_FOLLOW_WORDS = {"重伤", "重傷", "重度", "家中", "家里", "家裡", "明知", "发现", "發現", "发生", "發生", "进行", "進行",
                 "进入", "進入", "开车", "開車", "同意", "同时",
                 "同時", "通过", "通過", "承认", "承認", "结婚", "結婚", "有限", "严重", "嚴重"}
# what ends a name for certain: delimiters and the commonest words after names that no given name uses
_BEFORE_WORDS = set("，,。、；;：:（()）「」“”\"的称稱说說证證报報系係在等被将將于於与與和及处處到因向")
_NOT_NAME = {"陈述", "陳述", "方面", "高度", "全部", "单位", "單位", "钱款", "錢款", "金额",
             "金額", "房屋", "车辆", "車輛",
             "申请", "申請", "江湖", "黎明", "明知", "常住", "安全", "平安", "成年", "文化",
             "包括", "华夏", "关系", "關係",
             "原因", "原审", "原審", "原判", "原告", "司法", "公安", "公司", "国家", "國家", "海关", "海關", "商业",
             "商業", "信用", "利益", "利用", "和解", "史实", "简易", "簡易", "宣判", "车牌", "車牌", "路口", "伤情",
             "傷情", "伍佰", "伍仟", "万元", "萬元", "付款", "还款", "還款", "欠款", "借款", "借据", "借據", "计算",
             "計算", "和谐", "和諧", "相关", "相關", "相同", "相应", "相應", "相互", "明确", "明確", "明显", "明顯",
             "都是", "曲解", "宁可", "寧可", "尚未", "施暴", "施救", "施工", "康复", "康復", "于是", "於是", "鲁莽",
             "魯莽", "阮囊", "管理", "管辖", "管轄", "管制", "程序", "毛利", "汤药", "解释", "解釋", "解除", "石头",
             "石頭", "向被", "严重", "嚴重", "罗列", "羅列", "周围", "周圍", "周边", "周邊", "马上", "馬上", "高兴",
             "高興", "林业", "林業", "戴上", "谈话", "談話", "谈判", "談判", "余款", "餘款", "余额", "餘額", "苏醒",
             "蘇醒", "冷静", "冷靜", "安排", "安置", "常某", "费用", "費用", "景象", "席上", "武器", "应当", "應當",
             "应该", "應該", "金融", "金钱", "金錢", "沙发", "沙發", "孔雀", "容易", "来往", "來往", "信息", "信任",
             "修理", "修复", "修復", "元旦", "和好", "成功", "成立", "黄金", "黃金", "陆续", "陸續", "雷同", "门口",
             "門口", "门前", "門前", "卫生", "衛生", "宣布", "师傅", "師傅", "邵某", "伊始", "花费", "花費", "花钱",
             "花錢", "强行", "強行", "强制", "強制", "平时", "平時", "相识", "相識", "相约", "相約", "鲜血", "鮮血",
             "印象", "隆重", "智能", "展示", "展开", "展開", "尤其", "居住", "居然", "由于", "由於", "利于", "利於",
             "危险", "危險", "危害", "富有", "阴道", "陰道", "初步", "初次", "支付", "支持", "汇款", "匯款",
             "平台", "平臺", "国道", "國道", "计划", "計劃", "公路", "公共", "公开", "公開",
             "公然", "公告", "银行", "銀行",
             "权利", "權利", "农行", "農行", "龙卡", "龍卡", "公众", "公眾", "陈旧", "陳舊", "钱包", "錢包",
             "钱财", "錢財", "原谅", "原諒",
             "云云", "方有"}
_TITLES = ("小姐", "先生", "女士", "太太")
_DEFENDANT_WORDS = r"(?:被[\s\u3000]*告(?:人|單位|单位)?|上[\s\u3000]*訴[\s\u3000]*人|上诉人|罪犯|犯罪嫌疑人)"
# surnames that are also prepositions or adverbs right after a role word (被害人于案发后, 證人於偵查中,
# 被害人向被告人): a name with one is taken only when a delimiter follows it (被害人于小红称)
_AMBIGUOUS = set("左右于向由和同曾常时時都但那连連全平成相尚关關明花强強利富危展信元边邊原应應单單")
_MASK = set("某○〇×Ｘ＊*Xx")
# a second surname starts a Taiwan married name (王葉春美, 許袁秀娥): the common ones only
_MARRIED = set("王李張刘劉陈陳楊黄黃趙吳周徐孫馬朱胡郭何高林羅鄭梁謝宋唐許韓馮鄧曹彭曾蕭田董袁潘蔣蔡杜葉程蘇魏呂"
               "丁沈姚盧姜崔鍾譚陸汪范金石廖賈夏邱江洪游詹莊簡")
_AFTER_NAME = set("，,。、；;：:（()）「」“”\"的称稱说說证證陈陳报報系係 \u3000\n")
_NAME = re.compile(rf"(?:{_ROLES})(?:之|的)?[：:\s\u3000]*(?P<name>(?:{_COMPOUND}|[{_SURNAMES}])"
                   r"(?:小姐|先生|女士|太太|[\u4e00-\u9fff]{1,3}))(?P<after>.?)", re.DOTALL)
# An account table's holder: a name cell right before a card or account number (中国工商银行 荣涛
# 6212263901015389758), also once the number is a placeholder.
_HOLDER = re.compile(rf"(?:^|(?<=[\s\u3000│|，、：:]))(?P<name>(?:{_COMPOUND}|[{_SURNAMES}])[\u4e00-\u9fff]{{1,2}})"
                     r"[ \u3000]+(?:\d{12,19}(?!\d)|\[银行卡号\]|\[銀行帳號\])")
_PROTECTED = re.compile(rf"{_DEFENDANT_WORDS}[：:\s\u3000]*(?P<name>[\u4e00-\u9fff]{{2,4}})")


def _ends_name(rest: str) -> bool:
    """Whether the text after a name candidate starts with a word that follows names (轻伤, 陈述, 明知)."""
    return rest[:1] in _NOT_GIVEN or rest[:1] in _FOLLOWS or rest[:2] in _FOLLOW_WORDS


def _shorter(name: str, text: str) -> str:
    """被害人李梅诉说…李梅称: a surname and two given characters whose first two also stand on their own
    elsewhere in the text, before a delimiter or a word that follows names, is the two-character name.
    Not before a line break (Taiwan files wrap lines inside names: 蕭秀⏎鈺) nor before any character
    a given name can hold (潘阿福、潘阿來)."""
    if len(name) != 3 or re.match(_COMPOUND, name) or name[1:] in _TITLES:
        return name
    for m in re.finditer(re.escape(name[:2]), text):
        rest = text[m.end():m.end() + 2]
        if rest[:1] in _BEFORE_WORDS or rest[:1] in _FOLLOWS or rest in _FOLLOW_WORDS:
            return name[:2]
    return name


def _candidate(raw: str, after: str) -> str:
    """The name in what followed a role word, or '' when it is none. Two given characters at most,
    three after a second surname (Taiwan married names: 王葉春美)."""
    surname = raw[:2] if re.match(_COMPOUND, raw) else raw[0]
    given = raw[len(surname):]
    if given[:2] in _TITLES:
        return surname + given[:2]
    married = len(surname) == 1 and given[:1] in _MARRIED
    rest = given + after
    kept = ""
    for i, ch in enumerate(given[:3 if married else 2]):
        # past the first given character a word that follows names ends the name (张伟明知 is 张伟 + 明知);
        # the first may be a second surname that opens a married name (王陳春美)
        if ch in _NOT_GIVEN or (ch in _FOLLOWS and not married) or (i > 0 and _ends_name(rest[i:])):
            break
        kept += ch
    name, nxt = surname + kept, (given + after)[len(kept):][:1]
    if not kept or name[:2] in _NOT_NAME or nxt in _MASK or nxt.isdigit():  # 钱钱某, 李某1: masked
        return ""
    if surname in _AMBIGUOUS and nxt not in _AFTER_NAME:
        return ""
    return name


def find(text: str) -> set[str]:
    """Victims', witnesses' and account holders' names a role word introduces in the text, less the
    names that are also introduced as a defendant's."""
    named = {n for m in _NAME.finditer(text) if (n := _candidate(m.group("name"), m.group("after")))}
    # a table cell is the whole name (冉家家, 李方利): only masked cells and words (农行, 龙卡) are not
    held = {n for m in _HOLDER.finditer(text)
            if not _MASK & set(n := m.group("name")) and n not in _NOT_NAME and n[:2] not in _NOT_NAME}
    if not named and not held:
        return set()
    protected = {m.group("name") for m in _PROTECTED.finditer(text)}

    def free(name: str) -> bool:
        return not any(p.startswith(name) for p in protected)

    # shortened only where the shorter name is not a defendant's (证人修树江, 被告人修树生)
    found = {short if free(short := _shorter(n, text)) else n for n in named} | held
    return {n for n in found if free(n)}
