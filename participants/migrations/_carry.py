"""The fill of `person_id` on an event table from its participant records (migrations)."""


def fill(table):
    def forward(apps, schema_editor):
        quote = schema_editor.quote_name
        if schema_editor.connection.vendor == "postgresql":
            sql = (
                f"UPDATE {quote(table)} e SET person_id = p.person_id "
                f"FROM {quote('participants_participant')} p "
                "WHERE p.id = e.participant_id AND e.person_id IS NULL"
            )
        else:
            sql = (
                f"UPDATE {quote(table)} SET person_id = (SELECT p.person_id FROM "
                f"{quote('participants_participant')} p WHERE p.id = participant_id) "
                "WHERE person_id IS NULL"
            )
        schema_editor.execute(sql)

    return forward
