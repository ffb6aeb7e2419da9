"""Plain-words causes for failures that come from the machine, not the page."""

from docharness.diagnose import causes

PORT_TAKEN = (
    "docker: Error response from daemon: driver failed programming external connectivity on "
    "endpoint web (3f1e0a8c): Error starting userland proxy: listen tcp4 0.0.0.0:8080: bind: "
    "address already in use."
)
NAME_TAKEN = (
    'docker: Error response from daemon: Conflict. The container name "/web" is already in use '
    'by container "3f1e0a8c2b7d". You have to remove (or rename) that container to be able to '
    "reuse that name."
)


def test_a_taken_port_is_named() -> None:
    assert causes([PORT_TAKEN], []) == [
        "a host port this command publishes is held by another program "
        "(see `ss -ltnp`); free it and run again"
    ]


def test_a_leftover_container_is_named_with_the_fix() -> None:
    (advice,) = causes(["abc", NAME_TAKEN], ["3f1e0a8c2b7d"])
    assert "named web" in advice and "`docker rm -f web`" in advice


def test_a_cause_the_page_shows_is_an_example_not_a_problem() -> None:
    assert causes([NAME_TAKEN], [NAME_TAKEN]) == []
    assert causes(["Hello"], ["Bye"]) == []


def test_a_dead_daemon_is_one_sentence() -> None:
    gone = (
        "Cannot connect to the Docker daemon at unix:///run/doclab/i3/lab0/docker.sock. "
        "Is the docker daemon running?"
    )
    assert causes([gone], []) == [
        "the Docker daemon at unix:///run/doclab/i3/lab0/docker.sock does not answer "
        "(it may have crashed); `make lab` restarts it and removes what the page left"
    ]
