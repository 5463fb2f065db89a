"""Realistic bench data: CJK titles, ~1,500-character bodies, regions across the country,
dates over two years.  Fixed seed: the same files every time.

    python bench/generate.py OUTDIR [--articles 100000 --policies 10000 --leads 20000]

Writes OUTDIR/articles.jsonl, policies.jsonl, leads.jsonl.  Rows carry ``region_code``
(and ``region``, its name) so that the sqlite side can filter on the same column.

``--rare WORD`` puts WORD in the body of one article, the middle one (its characters replace
as many in the middle of the body): a word that matches exactly one record.  Every other
byte of the output is the same as without it.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

from zhaoshang_cli.domain.regions import table

INDUSTRIES = ["高端装备", "生物医药", "新一代信息技术", "新能源", "新材料", "集成电路", "人工智能", "汽车零部件",
              "现代物流", "跨境电商", "医疗器械", "数字经济", "航空航天", "节能环保", "文化旅游", "现代农业"]
ACTIONS = ["新引进", "签约落地", "开工建设", "竣工投产", "集中签约", "招商推介", "项目对接", "产业链招商", "云签约",
           "考察调研", "发布清单", "启动运营"]
THINGS = ["重点项目", "产业园二期", "研发中心", "标准厂房", "总部基地", "创新平台", "产业基金", "示范园区",
          "孵化器", "生产基地", "供应链中心", "数据中心"]
SENTENCES = [
    "围绕{ind}产业链，{area}持续完善要素保障，优化营商环境，推动项目早开工、早投产、早见效。",
    "今年以来，{area}累计引进{ind}项目{n}个，计划总投资{m}亿元，带动就业岗位{k}个。",
    "园区提供标准厂房、研发办公和人才公寓等载体，对符合条件的企业给予租金补贴和设备投资补助。",
    "{area}将坚持招商引资“一号工程”，聚焦{ind}等主导产业，开展精准招商和以商招商。",
    "项目达产后预计年产值{m}亿元，年纳税{k}万元，将进一步壮大{ind}产业集群。",
    "活动现场，{n}个项目集中签约，涵盖{ind}、现代服务业等领域。",
    "下一步，{area}将强化项目跟踪服务，建立专班推进机制，协调解决用地、用能、融资等问题。",
    "据介绍，该项目总占地约{k}亩，建设内容包括生产车间、仓储物流和配套设施。",
]
NEEDS = ["买地自建", "厂房租赁", "写字楼租赁", "公司注册", "其他"]
STATUSES = ["new", "contacted", "visited", "negotiating", "signed", "lost"]
START = date(2024, 8, 1)
DAYS = 730


def region_pool(rng: random.Random) -> list[str]:
    tbl = table()
    counties = [c for c, r in tbl.regions.items() if r.level == "county"]
    tianjin = [c for c in counties if c.startswith("12")]
    # a Tianjin portal: a third of the records at home, the rest across the country
    return tianjin * 60 + rng.sample(counties, 1500)


def body(rng: random.Random, area: str, ind: str, size: int = 1500) -> str:
    parts: list[str] = []
    length = 0
    while length < size:
        s = rng.choice(SENTENCES).format(area=area, ind=ind, n=rng.randint(2, 40), m=rng.randint(1, 90),
                                         k=rng.randint(100, 9000))
        parts.append(s)
        length += len(s)
        if rng.random() < 0.2:
            parts.append("\n")
    return "".join(parts)[:size]


def with_word(text: str, word: str) -> str:
    """``text`` with ``word`` in its middle, in place of as many characters (no random draw)."""
    at = max(0, (len(text) - len(word)) // 2)
    return text[:at] + word + text[at + len(word):]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--body", type=int, default=1500, help="characters per body")
    parser.add_argument("--rare", help="a word found in the body of the middle article only")
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20250717)
    tbl = table()
    pool = region_pool(rng)

    def pick() -> tuple[str, str]:
        code = rng.choice(pool)
        return code, tbl.name(code)

    def day() -> str:
        return (START + timedelta(days=rng.randrange(DAYS))).isoformat()

    with open(args.outdir / "articles.jsonl", "w", encoding="utf-8") as out:
        for i in range(args.articles):
            code, name = pick()
            short = name[:-1] if len(name) > 2 else name
            ind = rng.choice(INDUSTRIES)
            row = {"title": f"【{short}招商】{name}{rng.choice(ACTIONS)}{ind}{rng.choice(THINGS)}（第{i + 1}期）",
                   "region": name, "region_code": code, "date": day(),
                   "url": f"https://zs.example.org/news/{i + 1}.html", "source": "招商网", "category": "招商动态",
                   "tags": [ind], "summary": f"{name}{ind}产业招商动态。", "body": body(rng, name, ind, args.body)}
            if args.rare and i == args.articles // 2:
                row["body"] = with_word(row["body"], args.rare)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(args.outdir / "policies.jsonl", "w", encoding="utf-8") as out:
        for i in range(args.policies):
            code, name = pick()
            ind = rng.choice(INDUSTRIES)
            year = rng.choice((2024, 2025, 2026))
            row = {"title": f"{name}人民政府办公室关于印发{name}支持{ind}产业高质量发展若干措施的通知（{i + 1}）",
                   "issuer": f"{name}人民政府办公室", "doc_no": f"{name[:2]}政办发〔{year}〕{i % 90 + 1}号",
                   "region": name, "region_code": code, "date": day(), "category": "产业扶持",
                   "url": f"https://zs.example.org/policy/{i + 1}.html", "body": body(rng, name, ind, args.body)}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(args.outdir / "leads.jsonl", "w", encoding="utf-8") as out:
        for i in range(args.leads):
            code, name = pick()
            ind = rng.choice(INDUSTRIES)
            when = day()
            row = {"company": f"{name[:2]}{ind}科技有限公司{i + 1}号",
                   "contact": rng.choice("王李张刘陈杨赵黄周吴") + "经理",
                   "phone": f"1{rng.choice('3578')}{i:09d}", "email": f"lead{i}@example.com", "industry": ind,
                   "region": name, "region_code": code, "amount": rng.randint(1, 500) * 1_000_000,
                   "need": rng.choice(NEEDS), "status": rng.choice(STATUSES), "date": when,
                   "due": (date.fromisoformat(when) + timedelta(days=rng.randint(1, 60))).isoformat()}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
