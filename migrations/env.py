"""Alembic environment: the app's metadata (with its naming convention), type comparison, search objects skipped.

Search indexes differ by backend (a GIN expression index on PostgreSQL, an FTS5 table on SQLite); they are created
by the migrations themselves and are not part of the models, so autogenerate and the agreement check skip them.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name)
logger = logging.getLogger('alembic.env')

#: Objects that exist only in the database, by name prefix.
DATABASE_ONLY_PREFIXES = ('registry_cards_fts', 'ix_registry_cards_summary_', 'summary_tsv')


def include_object(obj, name, type_, reflected, compare_to):
    return not (name and name.startswith(DATABASE_ONLY_PREFIXES))


def render_item(type_, obj, autogen_context):
    """Render the project's UTC timestamp type as a plain timezone-aware DateTime in migration files."""
    if type_ == 'type' and type(obj).__name__ == 'UTCDateTime':
        return 'sa.DateTime(timezone=True)'
    return False


def get_engine():
    return current_app.extensions['migrate'].db.engine


config.set_main_option('sqlalchemy.url', get_engine().url.render_as_string(hide_password=False).replace('%', '%%'))
target_metadata = current_app.extensions['migrate'].db.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option('sqlalchemy.url'),
        target_metadata=target_metadata,
        literal_binds=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info('No changes in schema detected.')

    conf_args = dict(current_app.extensions['migrate'].configure_args)
    conf_args.setdefault('process_revision_directives', process_revision_directives)
    conf_args['include_object'] = include_object
    conf_args['render_item'] = render_item
    with get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
