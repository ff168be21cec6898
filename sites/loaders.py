"""Loaders of the programme-structure files of the exchange format (docs/exchange.md): sites, peer
groups, establishments, costs and trainings. The engine (reading, error collection, scoping,
upserts) is `exchange.services`; each loader takes its `ImportContext` and the file's parsed rows
and applies this app's rules."""

from django.utils.translation import gettext as _

from exchange.contract import Loader, Prepared, chunks
from programs.models import InterventionModel, Phase

from .models import MERGER_DATE, Cost, Establishment, PeerGroup, Province, Site, Training
from .services import check_peer_group_counts


def load_sites(ctx, spec, label, rows):
    provinces = {(p.unit_set, p.code): p for p in Province.objects.all()}
    models = set(InterventionModel.objects.values_list("pk", flat=True))
    phases = list(Phase.objects.order_by("start_date"))
    prepared = []
    for line, v in rows:
        before = v["start_date"] < MERGER_DATE
        unit_set = Province.UnitSet.LEGACY if before else Province.UnitSet.CURRENT
        province = provinces.get((unit_set, v["province"]))
        ok = True
        if province is None:
            ok = False
            if before:
                reason = _(
                    "không có tỉnh mã này trong 63 tỉnh trước 01/07/2025 (tỉnh phải tồn tại "
                    "vào ngày bắt đầu)."
                )
            else:
                reason = _(
                    "không có tỉnh mã này trong 34 tỉnh từ 01/07/2025 (tỉnh phải tồn tại vào "
                    "ngày bắt đầu)."
                )
            ctx.error(label, line, "province", reason)
        elif ctx.officer_province is not None and province.current_id != ctx.officer_province:
            ok = False
            ctx.error(label, line, "province", _("tỉnh này không phải tỉnh của bạn."))
        if v["model"] not in models:
            ok = False
            ctx.error(label, line, "model", _("không có mô hình mã này."))
        if v["end_date"] is not None and v["end_date"] < v["start_date"]:
            ok = False
            ctx.error(label, line, "end_date", _("ngày kết thúc trước ngày bắt đầu."))
        if not ok:
            continue
        phase = next((p for p in phases if p.start_date <= v["start_date"] <= p.end_date), None)
        prepared.append(
            Prepared(
                line,
                (v["code"],),
                {
                    "name": v["name"],
                    "province_id": province.pk,
                    "locality": v["locality"],
                    "model_id": v["model"],
                    "role": v["role"],
                    "start_date": v["start_date"],
                    "end_date": v["end_date"],
                },
                {"code": v["code"], "phase": phase},
            )
        )
    prepared = ctx.refuse_out_of_scope(spec, label, prepared, Site)
    existing = {
        (code,): obj for code, obj in ctx.by_code(Site, [p.key[0] for p in prepared]).items()
    }
    counts, _new, _changed = ctx.upsert(
        spec,
        label,
        Site,
        prepared,
        existing,
        fields=[
            "name",
            "province_id",
            "locality",
            "model_id",
            "role",
            "start_date",
            "end_date",
        ],
    )
    return counts


def _coded_children(ctx, spec, label, rows, model, values_of, rule=None):
    sites = ctx.by_code(Site, [v["site"] for _line, v in rows])
    prepared = []
    for line, v in rows:
        site = ctx.site_ref(label, line, sites, v["site"])
        if site is None:
            continue
        if rule is not None and not ctx.check(label, line, rule, v=v):
            continue
        values = values_of(v)
        values["site_id"] = site.pk
        prepared.append(Prepared(line, (v["code"],), values, {"code": v["code"]}))
    prepared = ctx.refuse_out_of_scope(spec, label, prepared, model)
    existing = {
        (code,): obj for code, obj in ctx.by_code(model, [p.key[0] for p in prepared]).items()
    }
    fields = list(prepared[0].values) if prepared else []
    counts, _new, _changed = ctx.upsert(spec, label, model, prepared, existing, fields=fields)
    return counts


def load_peer_groups(ctx, spec, label, rows):
    return _coded_children(
        ctx,
        spec,
        label,
        rows,
        PeerGroup,
        lambda v: {
            "name": v["name"],
            "kind": v["kind"],
            "founded_on": v["founded_on"],
            "members": v["members"],
            "board_members": v["board_members"],
        },
        # The form's rule (sites.services), on the row's own columns.
        rule=lambda v: check_peer_group_counts(
            members=v["members"], board_members=v["board_members"]
        ),
    )


def load_establishments(ctx, spec, label, rows):
    return _coded_children(
        ctx,
        spec,
        label,
        rows,
        Establishment,
        lambda v: {"kind": v["kind"], "workers": v["workers"]},
    )


def load_costs(ctx, spec, label, rows):
    return _site_events(ctx, spec, label, rows, Cost, "category", {"amount_vnd": "amount_vnd"})


def load_trainings(ctx, spec, label, rows):
    return _site_events(ctx, spec, label, rows, Training, "audience", {"trainees": "trainees"})


def _site_events(ctx, spec, label, rows, model, kind_column, value_columns):
    sites = ctx.by_code(Site, [v["site"] for _line, v in rows])
    prepared = []
    for line, v in rows:
        site = ctx.site_ref(label, line, sites, v["site"])
        if site is None or not ctx.check_open(label, line, site=site, day=v["date"]):
            continue
        values = {field_name: v[column] for field_name, column in value_columns.items()}
        key = (site.pk, v["date"], v[kind_column])
        prepared.append(
            Prepared(
                line,
                key,
                values,
                {"site_id": site.pk, "date": v["date"], kind_column: v[kind_column]},
            )
        )
    existing = {}
    for chunk in chunks({item.key[0] for item in prepared}):
        for obj in model.objects.filter(site_id__in=chunk):
            existing[(obj.site_id, obj.date, getattr(obj, kind_column))] = obj
    counts, _new, _changed = ctx.upsert(
        spec, label, model, prepared, existing, fields=list(value_columns)
    )
    return counts


# The files of the exchange format this app loads (registered in apps.py, exchange.contract).
LOADERS: dict[str, Loader] = {
    "sites": load_sites,
    "peer_groups": load_peer_groups,
    "establishments": load_establishments,
    "costs": load_costs,
    "trainings": load_trainings,
}
