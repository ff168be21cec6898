"""Pages of the programme structure: sites, establishments, peer groups, costs, trainings.

Who may do what: officers read and write their province, administrators everything, the
ministry reads everything (writes are refused by `allow`, 403), a peer leader reads their own
group and its site. Records outside a user's scope are 404 (scoped lookups)."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import EDITORS, STRUCTURE_READERS, allow
from accounts.history import history_for
from accounts.models import Role
from accounts.pagination import page_of

from . import forms, selectors
from .models import Cost, Establishment, PeerGroup, Site, Training
from .panels import site_panels
from .services import set_active


@dataclass(frozen=True)
class Kind:
    name: str  # url and template prefix
    model: type
    form: type
    filter_form: type
    selector: object
    export: str  # exchange file name
    title: str
    new_title: str
    deactivatable: bool = True  # has an is_active flag: deactivated instead of deleted

    def url(self, action, *args):
        return reverse(f"sites:{self.name}_{action}", args=args)


SITE = Kind(
    "site",
    Site,
    forms.SiteForm,
    forms.SiteFilterForm,
    selectors.site_list,
    "sites",
    gettext_lazy("Địa bàn"),
    gettext_lazy("Thêm địa bàn"),
)
ESTABLISHMENT = Kind(
    "establishment",
    Establishment,
    forms.EstablishmentForm,
    forms.EstablishmentFilterForm,
    selectors.establishment_list,
    "establishments",
    gettext_lazy("Cơ sở kinh doanh dịch vụ"),
    gettext_lazy("Thêm cơ sở kinh doanh dịch vụ"),
)
PEERGROUP = Kind(
    "peergroup",
    PeerGroup,
    forms.PeerGroupForm,
    forms.PeerGroupFilterForm,
    selectors.peergroup_list,
    "peer_groups",
    gettext_lazy("Nhóm đồng đẳng, nhóm tự lực, câu lạc bộ"),
    gettext_lazy("Thêm nhóm"),
)
COST = Kind(
    "cost",
    Cost,
    forms.CostForm,
    forms.CostFilterForm,
    selectors.cost_list,
    "costs",
    gettext_lazy("Chi phí"),
    gettext_lazy("Thêm khoản chi"),
    deactivatable=False,
)
TRAINING = Kind(
    "training",
    Training,
    forms.TrainingForm,
    forms.TrainingFilterForm,
    selectors.training_list,
    "trainings",
    gettext_lazy("Lớp tập huấn"),
    gettext_lazy("Thêm lớp tập huấn"),
    deactivatable=False,
)


# --------------------------------------------------------------------------- shared steps


def _list(request, kind, extra=None):
    filter_form = kind.filter_form(request.GET or None, user=request.user)
    rows = kind.selector(user=request.user, filters=filter_form.filters)
    if kind is PEERGROUP:
        rows = selectors.with_leaders(rows)
    page = page_of(request, rows)
    context = {
        "kind": kind,
        "filter_form": filter_form,
        "page": page,
        "rows": page.object_list,
        "can_edit": request.user.role in EDITORS,
    }
    if extra:
        context.update(extra(rows))
    return render(request, f"sites/{kind.name}_list.html", context)


def _detail(request, kind, pk, extra=None):
    record = get_object_or_404(_detail_queryset(request.user, kind), pk=pk)
    context = {
        "kind": kind,
        "record": record,
        "history": history_for(record),
        "can_edit": request.user.role in EDITORS,
    }
    if extra:
        context.update(extra(record))
    return render(request, f"sites/{kind.name}_detail.html", context)


def _detail_queryset(user, kind):
    queryset = kind.model.objects.visible_to(user)
    if kind is SITE:
        return queryset.select_related("province", "province__current", "model", "phase")
    return queryset.select_related("site", "site__province", "site__model")


def _edit(request, kind, pk=None):
    if pk is None:
        record = kind.model()
    else:
        record = get_object_or_404(kind.model.objects.visible_to(request.user), pk=pk)
    form = kind.form(request.POST or None, instance=record, user=request.user)
    if request.method == "POST" and form.is_valid():
        record = form.save()
        messages.success(request, _("Đã lưu."))
        return redirect(kind.url("detail", record.pk))
    return render(
        request,
        "sites/form.html",
        {
            "kind": kind,
            "form": form,
            "record": record if pk is not None else None,
            "title": kind.new_title if pk is None else _("Sửa: %(record)s") % {"record": record},
            "cancel_url": kind.url("detail", pk) if pk is not None else kind.url("list"),
        },
    )


def _set_active(request, kind, pk, active):
    record = get_object_or_404(kind.model.objects.visible_to(request.user), pk=pk)
    set_active(record=record, active=active, by=request.user)
    if active:
        messages.success(request, _("Đã cho hoạt động lại."))
    else:
        messages.success(
            request,
            _("Đã ngừng hoạt động. Bản ghi và lịch sử của nó vẫn được giữ."),
        )
    return redirect(kind.url("detail", pk))


# --------------------------------------------------------------------------- sites


@allow(*STRUCTURE_READERS)
def site_list(request):
    return _list(request, SITE)


@allow(*STRUCTURE_READERS, Role.PEER_LEADER)
def site_detail(request, pk):
    return _detail(
        request,
        SITE,
        pk,
        extra=lambda site: {
            "summary": selectors.site_summary(user=request.user, site=site),
            "reads_structure": request.user.role in STRUCTURE_READERS,
            **site_panels(request.user, site),
        },
    )


@allow(*EDITORS)
def site_create(request):
    return _edit(request, SITE)


@allow(*EDITORS)
def site_edit(request, pk):
    return _edit(request, SITE, pk)


@allow(*EDITORS)
@require_POST
def site_deactivate(request, pk):
    return _set_active(request, SITE, pk, active=False)


@allow(*EDITORS)
@require_POST
def site_reactivate(request, pk):
    return _set_active(request, SITE, pk, active=True)


# --------------------------------------------------------------------------- establishments


@allow(*STRUCTURE_READERS)
def establishment_list(request):
    return _list(request, ESTABLISHMENT)


@allow(*STRUCTURE_READERS)
def establishment_detail(request, pk):
    return _detail(request, ESTABLISHMENT, pk)


@allow(*EDITORS)
def establishment_create(request):
    return _edit(request, ESTABLISHMENT)


@allow(*EDITORS)
def establishment_edit(request, pk):
    return _edit(request, ESTABLISHMENT, pk)


@allow(*EDITORS)
@require_POST
def establishment_deactivate(request, pk):
    return _set_active(request, ESTABLISHMENT, pk, active=False)


@allow(*EDITORS)
@require_POST
def establishment_reactivate(request, pk):
    return _set_active(request, ESTABLISHMENT, pk, active=True)


# --------------------------------------------------------------------------- peer groups


@allow(*STRUCTURE_READERS)
def peergroup_list(request):
    return _list(request, PEERGROUP)


@allow(*STRUCTURE_READERS, Role.PEER_LEADER)
def peergroup_detail(request, pk):
    return _detail(
        request,
        PEERGROUP,
        pk,
        extra=lambda group: {
            "leaders": group.leaders.filter(role=Role.PEER_LEADER).order_by("username"),
            "reads_structure": request.user.role in STRUCTURE_READERS,
        },
    )


@allow(Role.PEER_LEADER)
def peergroup_mine(request):
    """A peer leader's own group page (the navigation links here)."""
    if not request.user.peer_group_id:
        raise Http404
    return redirect(PEERGROUP.url("detail", request.user.peer_group_id))


@allow(*EDITORS)
def peergroup_create(request):
    return _edit(request, PEERGROUP)


@allow(*EDITORS)
def peergroup_edit(request, pk):
    return _edit(request, PEERGROUP, pk)


@allow(*EDITORS)
@require_POST
def peergroup_deactivate(request, pk):
    return _set_active(request, PEERGROUP, pk, active=False)


@allow(*EDITORS)
@require_POST
def peergroup_reactivate(request, pk):
    return _set_active(request, PEERGROUP, pk, active=True)


# --------------------------------------------------------------------------- costs


@allow(*STRUCTURE_READERS)
def cost_list(request):
    return _list(request, COST, extra=lambda rows: {"total": selectors.cost_total(rows)})


@allow(*STRUCTURE_READERS)
def cost_detail(request, pk):
    return _detail(request, COST, pk)


@allow(*EDITORS)
def cost_create(request):
    return _edit(request, COST)


@allow(*EDITORS)
def cost_edit(request, pk):
    return _edit(request, COST, pk)


# --------------------------------------------------------------------------- trainings


@allow(*STRUCTURE_READERS)
def training_list(request):
    return _list(request, TRAINING, extra=lambda rows: {"total": selectors.trainee_total(rows)})


@allow(*STRUCTURE_READERS)
def training_detail(request, pk):
    return _detail(request, TRAINING, pk)


@allow(*EDITORS)
def training_create(request):
    return _edit(request, TRAINING)


@allow(*EDITORS)
def training_edit(request, pk):
    return _edit(request, TRAINING, pk)
