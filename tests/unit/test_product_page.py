"""The catalogue a page at a time from a process's copy of the network (NetworkCache.product_page). Pure."""

from __future__ import annotations

from oms_actors.domain.network import Product
from oms_actors.store.network import NetworkCache


def cache(*products: Product, version: int = 1) -> NetworkCache:
    network = NetworkCache(store=None)  # type: ignore[arg-type]  # product_page reads the copy only
    network.version, network.products = version, {p.sku: p for p in products}
    return network


def skus(page: list[Product]) -> list[str]:
    return [p.sku for p in page]


def test_pages_follow_sku_order_after_the_last_one_and_by_style():
    network = cache(Product(sku="C", style="S"), Product(sku="A", style="S"), Product(sku="B"), Product(sku="D", style="T"))
    assert skus(network.product_page(after=None, limit=2)) == ["A", "B"]
    assert skus(network.product_page(after="B", limit=2)) == ["C", "D"]
    assert skus(network.product_page(after="D", limit=2)) == []
    assert skus(network.product_page(after=None, limit=10, style="S")) == ["A", "C"]
    assert skus(network.product_page(after="A", limit=10, style="S")) == ["C"]
    assert network.product_page(after=None, limit=10, style="nothing") == []


def test_a_product_looked_up_since_or_a_new_version_is_in_the_next_page():
    network = cache(Product(sku="A"), Product(sku="C"))
    assert skus(network.product_page(after=None, limit=10)) == ["A", "C"]
    network.products["B"] = Product(sku="B", style="S")  # known_skus found it in Redis
    assert skus(network.product_page(after=None, limit=10)) == ["A", "B", "C"]
    network.version, network.products = 2, {"A": Product(sku="A", style="S"), "Z": Product(sku="Z")}
    assert skus(network.product_page(after=None, limit=10, style="S")) == ["A"]
    assert skus(network.product_page(after=None, limit=10)) == ["A", "Z"]
