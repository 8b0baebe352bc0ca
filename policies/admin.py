from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Criterion, CriterionGrant, Policy, Product, ProductNDC, QuantityLimit


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0


class QuantityLimitInline(admin.TabularInline):
    model = QuantityLimit
    extra = 0


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0
    show_change_link = True


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    list_display = ("title", "code", "line_of_business", "effective_from", "effective_to")
    list_filter = ("category", "line_of_business")
    search_fields = ("title", "code", "products__name", "products__ndcs__ndc")
    inlines = [ProductInline, QuantityLimitInline, CriterionInline]


class ProductNDCInline(admin.TabularInline):
    model = ProductNDC
    extra = 0


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ("name", "unit", "policy")
    search_fields = ("name", "ndcs__ndc")
    inlines = [ProductNDCInline]


class CriterionGrantInline(admin.TabularInline):
    model = CriterionGrant
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "policy", "one_time", "approval_days")
    inlines = [CriterionGrantInline]
