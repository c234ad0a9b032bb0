from django.template.loader import render_to_string
from django.test import override_settings


def test_unknown_url_gets_the_custom_404(viewer_client):
    response = viewer_client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"There is nothing at this address." in response.content
    assert b"Traceback" not in response.content


@override_settings(DEBUG=False)
def test_server_error_page_leaks_nothing(viewer_client, monkeypatch):
    from roles.ui import views as pages

    def broken(request):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(pages.HealthPing.objects, "first", broken)
    viewer_client.raise_request_exception = False
    response = viewer_client.get("/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"secret internal detail" not in response.content
    assert b"Traceback" not in response.content


def test_500_template_renders_without_context():
    # Django renders 500.html with an empty context; it must not need request data.
    html = render_to_string("500.html")
    assert "Something went wrong" in html
