"""The gRPC servicers: validate at the edge, batch to the owning actors, read Redis directly."""

from gateway.services.backend import Backend
from gateway.services.customers import CustomerService
from gateway.services.inventory import InventoryService
from gateway.services.orders import OrderService

__all__ = ["Backend", "CustomerService", "InventoryService", "OrderService"]
