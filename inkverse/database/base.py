"""The declarative base shared by every table.

The naming convention reproduces knex's default names (`<table>_<cols>_index`, `<table>_<cols>_unique`,
`<table>_pkey`), so models, the baseline migration and a database built by the original server agree.
PostgreSQL truncates names to 63 bytes; tables whose knex names were truncated spell them out.
"""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "%(table_name)s_%(column_0_N_name)s_index",
    "uq": "%(table_name)s_%(column_0_N_name)s_unique",
    "pk": "%(table_name)s_pkey",
    "fk": "%(table_name)s_%(column_0_N_name)s_foreign",
    "ck": "%(table_name)s_%(constraint_name)s_check",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
