"""Users of the collection system: a tier and a territory each, passwords hashed."""

import datetime

import attrs
from sqlalchemy import insert, select

from ..errors import StaffrecError
from ..review import Actor, Tier
from .passwords import hash_password
from .schema import schools, users

# tier -> level of the territory it works on; the tiers themselves are review.Tier.
TERRITORY_LEVEL = {
    Tier.COUNTY: "county",
    Tier.CITY: "city",
    Tier.REGION: "province",
    Tier.INFO_CENTRE: "province",
    Tier.SCHOOL: "school",
}
TIERS = tuple(t.value for t in TERRITORY_LEVEL)


class UserError(StaffrecError, ValueError):
    """A user cannot be created or found as asked."""


@attrs.frozen
class User:
    """A signed-in person: who, at which tier, over which territory."""

    id: int
    name: str
    display_name: str
    tier: str
    territory: str

    @property
    def tier_label(self):
        """The tier's Chinese name."""
        return Tier(self.tier).label

    @property
    def actor(self):
        """The review-machine actor this user acts as."""
        return Actor(self.tier, self.territory, user=self.name)


def _check_territory(conn, tier, territory, regions):
    """Raise UserError unless `territory` is a code of the level the tier works on."""
    level = TERRITORY_LEVEL[Tier(tier)]
    if level == "school":
        if conn.execute(select(schools.c.id).where(schools.c.id == territory)).first() is None:
            raise UserError(f"学校标识码 {territory} 不在学校名单中。")
        return
    region = regions.get(territory)
    if region is None or region.level != level:
        wanted = {"county": "旗县（市、区）代码", "city": "盟市代码", "province": "自治区代码"}[level]
        raise UserError(f"{Tier(tier).label}的管辖范围应为{wanted}，“{territory}”不是。")


def add_user(conn, regions, name, tier, territory, password=None, display_name=None):
    """Create a user and return it; names are unique."""
    if tier not in TIERS:
        raise UserError(f"未知的用户层级“{tier}”，可选：{', '.join(TIERS)}。")
    if not name or not name.strip():
        raise UserError("用户名不能为空。")
    _check_territory(conn, tier, territory, regions)
    if conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None:
        raise UserError(f"用户名“{name}”已存在。")
    row = dict(
        name=name,
        display_name=display_name or name,
        tier=tier,
        territory=territory,
        password_hash=hash_password(password) if password else None,
        created_at=datetime.datetime.now(datetime.timezone.utc),
    )
    user_id = conn.execute(insert(users).values(**row)).inserted_primary_key[0]
    return User(user_id, name, row["display_name"], tier, territory)


def get_user(conn, name):
    """Return the user with this name; UserError when there is none."""
    row = conn.execute(select(users).where(users.c.name == name)).first()
    if row is None:
        raise UserError(f"没有名为“{name}”的用户。")
    return User(row.id, row.name, row.display_name, row.tier, row.territory)


def password_hash_of(conn, name):
    """Return the stored password hash of a user, or None (no user, or no password set)."""
    return conn.execute(select(users.c.password_hash).where(users.c.name == name)).scalar()
