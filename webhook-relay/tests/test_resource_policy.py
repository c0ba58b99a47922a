"""Where the merchant's key may be sent: only https on ShipStation's own API hosts, or the configured emulator."""
import pytest

from webhook_relay.verify import Refused, ResourcePolicy

EMULATOR = "http://127.0.0.1:8765"


@pytest.mark.parametrize("api, url", [
    ("v1", "https://ssapi.shipstation.com/shipments?batchId=12&includeShipmentItems=False"),
    ("v1", "https://ssapi6.shipstation.com/shipments?batchId=12&includeShipmentItems=True"),
    ("v1", "https://ssapi12.shipstation.com/fulfillments?orderId=4"),
    ("v1", "https://SSAPI.shipstation.com:443/shipments?batchId=1"),
    ("v2", "https://api.shipstation.com/v2/labels?batch_id=se-64616278"),
    ("v2", "https://api.shipstation.com/v2/fulfillments?fulfillment_id=se-1&shipment_id=se-2"),
    ("v1", f"{EMULATOR}/shipments?batchId=3&includeShipmentItems=False"),
    ("v2", f"{EMULATOR}/v2/shipments?batch_id=se-3"),
])
def test_shipstation_resource_urls_are_allowed(api, url):
    allowed = ResourcePolicy(EMULATOR).check(api, url)
    assert url.lower().endswith(allowed.path_and_query.lower())


@pytest.mark.parametrize("api, url", [
    ("v1", "http://ssapi.shipstation.com/shipments?batchId=1"),                 # not https
    ("v1", "https://ssapi.shipstation.com.evil.com/shipments?batchId=1"),       # suffix trick
    ("v1", "https://ssapi.shipstation.com@evil.com/shipments?batchId=1"),       # userinfo trick
    ("v1", "https://user:pw@ssapi.shipstation.com/shipments?batchId=1"),        # credentials in the URL
    ("v1", "https://evil.com/shipments?host=ssapi.shipstation.com"),
    ("v1", "https://xssapi.shipstation.com/shipments"),
    ("v1", "https://ssapi.shipstation.com./shipments"),                         # trailing dot
    ("v1", "https://ssapi.shipstation.com:8443/shipments?batchId=1"),           # other port
    ("v1", "https://ssapi.shipstation.com\\@evil.com/shipments"),               # backslash parsing differences
    ("v1", "https://ssapi.shipstation.com/webhooks"),                           # not a shipment resource
    ("v1", "https://api.shipstation.com/v2/labels?batch_id=se-1"),              # v2 host on the v1 route
    ("v2", "https://ssapi.shipstation.com/shipments?batchId=1"),                # v1 host on the v2 route
    ("v2", "https://api.shipstation.com.evil.com/v2/labels"),
    ("v2", "https://api.shipstation.com/v2/labels#x"),
    ("v1", "http://127.0.0.1:9999/shipments?batchId=1"),                        # loopback, but not the emulator
    ("v1", "https://127.0.0.1:8765/shipments?batchId=1"),                       # emulator host, other scheme
    ("v1", "ftp://ssapi.shipstation.com/shipments"),
    ("v1", None),
    ("v1", "https://ssapi.shipstation.com/shipments?" + "a" * 3000),
])
def test_foreign_resource_urls_are_refused(api, url):
    with pytest.raises(Refused) as refused:
        ResourcePolicy(EMULATOR).check(api, url)
    assert refused.value.status == 400


def test_without_an_emulator_configured_loopback_is_refused():
    with pytest.raises(Refused):
        ResourcePolicy(None).check("v1", f"{EMULATOR}/shipments?batchId=1")
