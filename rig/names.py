"""Plausible Chinese names and places. Every character is in GBK: four branches deliver in it."""

from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
    "雷钱汤尹黎易常武乔贺赖龚文关佟那富鲍葛齐"
)
MALE = (
    "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国建华志强永刚海东"
    "德胜福生春雷国庆玉明立新文斌振华宏伟庆丰"
)
FEMALE = (
    "芳娜敏静丽艳娟霞秀英桂英秀兰玉兰凤霞淑珍淑芬丽华红梅玉梅春燕雪梅晓红桂芝秀珍亚琴丹莉"
    "萍玲婷颖琳璐佳欣怡"
)

STREETS = (
    "北市", "南湖", "太原街", "新华", "八经", "大西", "小东", "滨河", "万泉", "东站", "北塔", "华山",
    "三台子", "明廉", "保工", "兴华", "卫工", "沈辽", "汪家", "浑河", "五里河", "桃仙", "虎石台",
    "道义", "陵东", "黄河", "长江", "塔湾", "北陵", "昆山", "新开河", "沙河", "丰乐", "永安",
)
TOWNS = ("新民屯", "老大房", "冯屯", "满都户", "叶茂台", "登仕堡", "包家屯", "杨士岗", "大黑岗", "于家房")
HOSPITALS = (
    "中国医科大学附属第一医院", "中国医科大学附属盛京医院", "沈阳市第一人民医院", "沈阳市第四人民医院",
    "沈阳医学院附属中心医院", "辽宁省人民医院", "沈阳市第五人民医院", "沈阳市老年病医院",
)
FUNERAL_HOMES = ("沈阳市殡仪馆", "沈阳市回龙岗殡仪馆", "沈阳市东陵殡仪馆", "新民市殡仪馆", "康平县殡仪馆", "法库县殡仪馆")


def _two(rng: random.Random, chars: str) -> str:
    # Some given names above are written as 2-char words, some as single chars: mix both.
    if rng.random() < 0.55:
        return rng.choice(chars)
    return rng.choice(chars) + rng.choice(chars)


def person_name(rng: random.Random, gender: int) -> str:
    return rng.choice(SURNAMES) + _two(rng, MALE if gender == 1 else FEMALE)


def community(rng: random.Random, district_name: str, rural: bool) -> str:
    if rural:
        return f"{rng.choice(TOWNS)}镇{rng.choice(SURNAMES)}家{rng.choice('屯村堡窝')}村"
    return f"{rng.choice(STREETS)}街道{rng.choice(STREETS)}社区"


def police_station(rng: random.Random) -> str:
    return f"{rng.choice(STREETS)}派出所"


def hospital(rng: random.Random, district_name: str, rural: bool) -> str:
    if rural and rng.random() < 0.6:
        return f"{district_name[:2]}{rng.choice(TOWNS)}镇卫生院"
    if rng.random() < 0.15:
        return f"{district_name}{rng.choice(STREETS)}社区卫生服务中心"
    return rng.choice(HOSPITALS)


def institution_name(rng: random.Random, district_name: str, public: bool, n: int) -> str:
    if public:
        return f"沈阳市{district_name}社会福利中心{'一二三四五六七八九'[n % 9]}院"
    return f"{district_name}{rng.choice(STREETS)}{rng.choice(('颐养中心', '养老院', '老年公寓'))}"
