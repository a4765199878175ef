"""The local control plane: real API server built here, fake nodes, admission, controllers.

Runs against the cluster that scripts/test.sh brought up (`scripts/local-cluster.sh up`).
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tools.localstack.apps import wait_for

from .helpers import KUBECONFIG, ROOT, pinned_k8s_version, run_script

pytestmark = pytest.mark.cluster

PAUSE = "registry.k8s.io/pause:3.10"


def test_version_is_the_binary_built_here(api):
    from kubernetes import client

    info = client.VersionApi(api).get_code()
    assert info.git_version == pinned_k8s_version() == "v1.34.4"
    assert (info.major, info.minor) == ("1", "34")


def test_second_up_is_a_fast_noop(cluster_up):
    proc, seconds = run_script("up", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "local-cluster: already up" in proc.stdout
    assert seconds < 15, f"no-op up took {seconds:.1f}s"
    status, _ = run_script("status", timeout=60)
    assert status.returncode == 0, status.stdout + status.stderr
    for component in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"):
        assert f"{component}" in status.stdout and "running pid=" in status.stdout


def test_fake_nodes_ready_with_capacity(api):
    from kubernetes import client

    nodes = client.CoreV1Api(api).list_node(label_selector="appmod.local/fake-node=true").items
    assert len(nodes) >= 2
    for node in nodes:
        ready = {c.type: c.status for c in node.status.conditions or []}
        assert ready.get("Ready") == "True", node.metadata.name
        assert node.status.allocatable["cpu"] == "32"
        assert node.status.allocatable["memory"] == "128Gi"
        assert node.status.allocatable["pods"] == "110"
        assert node.metadata.annotations["kwok.x-k8s.io/node"] == "fake"


def _workload(kind, spec_kind, name, replicas, container, **spec):
    """A Deployment or StatefulSet ``name`` of one container, its pods labelled app=<name>."""
    from kubernetes import client

    labels = {"app": name}
    return kind(
        metadata=client.V1ObjectMeta(name=name),
        spec=spec_kind(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels), spec=client.V1PodSpec(containers=[container])
            ),
            **spec,
        ),
    )


def test_deployment_becomes_available(api, namespace):
    from kubernetes import client

    apps = client.AppsV1Api(api)
    apps.create_namespaced_deployment(
        namespace,
        _workload(client.V1Deployment, client.V1DeploymentSpec, "pause", 3, client.V1Container(name="pause", image=PAUSE)),
    )

    def available():
        dep = apps.read_namespaced_deployment_status("pause", namespace)
        conds = {c.type: c.status for c in dep.status.conditions or []}
        return conds.get("Available") == "True" and dep.status.available_replicas == 3

    wait_for(available, 60, interval=0.5, what="Deployment pause Available with 3 replicas")
    pods = client.CoreV1Api(api).list_namespaced_pod(namespace, label_selector="app=pause").items
    assert {p.status.phase for p in pods} == {"Running"}
    # placed by the real scheduler on the fake nodes
    assert all(p.spec.node_name and p.spec.node_name.startswith("kwok-node-") for p in pods)


def test_pod_security_restricted_rejects_privileged_pod(api, namespace):
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    core = client.CoreV1Api(api)
    core.patch_namespace(namespace, {"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "restricted"}}})
    bad = client.V1Pod(
        metadata=client.V1ObjectMeta(name="privileged"),
        spec=client.V1PodSpec(
            containers=[
                client.V1Container(
                    name="c", image=PAUSE, security_context=client.V1SecurityContext(privileged=True)
                )
            ]
        ),
    )
    # PodSecurity admission reads the namespace's labels from its informer: wait until it has the new one.
    def refused():
        try:
            core.create_namespaced_pod(namespace, bad, dry_run="All")
        except ApiException as exc:
            return exc.status == 403
        return False

    wait_for(refused, 15, interval=0.2, what="PodSecurity admission to see the namespace's enforce label")
    with pytest.raises(ApiException) as err:
        core.create_namespaced_pod(namespace, bad)
    assert err.value.status == 403
    message = json.loads(err.value.body)["message"]
    assert 'violates PodSecurity "restricted:latest"' in message
    assert "privileged" in message

    good = client.V1Pod(
        metadata=client.V1ObjectMeta(name="compliant"),
        spec=client.V1PodSpec(
            security_context=client.V1PodSecurityContext(
                run_as_non_root=True, run_as_user=65532, seccomp_profile=client.V1SeccompProfile(type="RuntimeDefault")
            ),
            containers=[
                client.V1Container(
                    name="c",
                    image=PAUSE,
                    security_context=client.V1SecurityContext(
                        allow_privilege_escalation=False, capabilities=client.V1Capabilities(drop=["ALL"])
                    ),
                )
            ],
        ),
    )
    core.create_namespaced_pod(namespace, good)


def test_statefulset_with_volume_claim_becomes_ready(api, namespace):
    from kubernetes import client

    apps = client.AppsV1Api(api)
    db = client.V1Container(name="db", image=PAUSE, volume_mounts=[client.V1VolumeMount(name="data", mount_path="/data")])
    claim = client.V1PersistentVolumeClaim(
        metadata=client.V1ObjectMeta(name="data"),
        spec=client.V1PersistentVolumeClaimSpec(
            access_modes=["ReadWriteOnce"],
            resources=client.V1VolumeResourceRequirements(requests={"storage": "1Gi"}),
        ),
    )
    apps.create_namespaced_stateful_set(
        namespace,
        _workload(client.V1StatefulSet, client.V1StatefulSetSpec, "db", 1, db, service_name="db",
                  volume_claim_templates=[claim]),
    )

    def ready():
        sts = apps.read_namespaced_stateful_set_status("db", namespace)
        return sts.status.ready_replicas == 1

    wait_for(ready, 60, interval=0.5, what="StatefulSet db ready")
    pvc = client.CoreV1Api(api).read_namespaced_persistent_volume_claim("data-db-0", namespace)
    assert pvc.status.phase == "Bound"
    assert pvc.spec.storage_class_name == "standard"  # set by the DefaultStorageClass admission plugin


def test_argocd_crds_and_namespace(api):
    from kubernetes import client

    ext = client.ApiextensionsV1Api(api)
    for name in ("applications.argoproj.io", "appprojects.argoproj.io", "applicationsets.argoproj.io"):
        crd = ext.read_custom_resource_definition(name)
        conds = {c.type: c.status for c in crd.status.conditions or []}
        assert conds.get("Established") == "True", name
    client.CoreV1Api(api).read_namespace("argocd")


def test_pinned_kubectl_talks_to_the_cluster(cluster_up, env_with_tools):
    out = subprocess.run(
        [str(ROOT / ".tools" / "bin" / "kubectl"), "--kubeconfig", str(KUBECONFIG), "get", "--raw", "/version"],
        capture_output=True, text=True, check=True, timeout=30, env=env_with_tools,
    ).stdout
    assert json.loads(out)["gitVersion"] == "v1.34.4"


def test_role_is_idempotent_when_up(cluster_up, env_with_tools):
    start = time.monotonic()
    proc = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "ansible-playbook"), "playbooks/local-cluster.yml", "-e", "local_cluster_state=started"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env_with_tools, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    recap = [line for line in proc.stdout.splitlines() if line.startswith("localhost")]
    assert recap and "changed=0" in recap[-1] and "failed=0" in recap[-1], proc.stdout
    assert time.monotonic() - start < 90
