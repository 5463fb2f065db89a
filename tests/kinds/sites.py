"""A kind the way a new one is added: one module declaring it (here for the tests: venues,
which have no date and no amount of their own; the built-in sites, 载体, have more)."""

from zhaoshang_cli.domain.kind import Column, Field, Kind, Roles

SITE = Kind(
    "venue", "venues", "v", "场馆", "name",
    fields=(
        Field("name", "载体名称", required=True, help="The site's name."),
        Field("region", "所在地", "region", required=True, help="Where it is."),
        Field("type", "类型", "choice", choices={"土地": "土地", "厂房": "标准厂房", "标准厂房": "标准厂房",
                                             "写字楼": "写字楼"}, help="Land, plant or offices."),
        Field("zone_name", "园区", help="The park it is in."),
        Field("phone", "联系电话", "phone", help="Who to call."),
        Field("tags", "标签", "tags", help="Comma-separated."),
        Field("notes", "备注", "notes", help="Notes."),
    ),
    aliases=("会场",),
    columns=(Column("载体名称", "name", min_width=10, flexible=True), Column("所在地", "region", max_width=12),
             Column("类型", "type", max_width=8)),
    roles=Roles(),  # no date, no amount, no pipeline: said, not guessed
)
