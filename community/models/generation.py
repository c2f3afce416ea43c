"""The data generation: one row that every committed write moves on (community/generation.py).

A page's HTTP validator (community/views/revalidation.py) is taken from it before the page is
rendered, so a repeat read that nothing has changed since is answered 304 without rendering.
`epoch` is drawn afresh whenever the row is (re)created, so a number never repeats after the
tables are emptied (demo reset, tests).
"""
from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DataGeneration(db.Model):
    __tablename__ = "data_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    number: Mapped[int] = mapped_column(BigInteger, default=0)
    epoch: Mapped[str] = mapped_column(String(32))
