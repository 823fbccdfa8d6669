import pytest

from etl import reference

# Every spelling the captures and the sources' docs use, and the one canonical name it must get.
ALIASES = [
    # Vast.ai gpu_name values (captures)
    ("H100 SXM", "H100 SXM"), ("H100 PCIE", "H100 PCIe"), ("H100 NVL", "H100 NVL"), ("H200", "H200"),
    ("H200 NVL", "H200 NVL"), ("L40S", "L40S"), ("RTX 4090", "RTX 4090"), ("Tesla V100", "V100"),
    ("A100 PCIE", "A100 80GB"), ("A100 SXM4", "A100 80GB"), ("RTX 5090", "RTX 5090"),
    # Prime Intellect / gpu-price-tracker gpu_type + socket spellings
    ("H100_80GB SXM5", "H100 SXM"), ("H100_80GB PCIe", "H100 PCIe"), ("A100_80GB SXM4", "A100 80GB"),
    ("A100_80GB PCIe", "A100 80GB"), ("H200_141GB", "H200"), ("B200_180GB", "B200"), ("GH200_96GB", "GH200"),
    # cloud-gpus.github.io column names
    ("costh100", "H100 SXM"), ("costa100_80", "A100 80GB"), ("costa100_40", "A100 40GB"), ("costl40s", "L40S"),
    ("costh200", "H200"), ("costb200", "B200"),
    # Epoch AI ml_hardware "Hardware name" values
    ("NVIDIA H100 SXM5 80GB", "H100 SXM"), ("NVIDIA H100 PCIe", "H100 PCIe"), ("NVIDIA A100", "A100 40GB"),
    ("NVIDIA A100 SXM4 80 GB", "A100 80GB"), ("NVIDIA Tesla V100 SXM2 32 GB", "V100"),
    ("NVIDIA GeForce RTX 4090", "RTX 4090"), ("AMD Instinct MI300X", "MI300X"),
    # vendor and cloud spellings
    ("NVIDIA H100 80GB HBM3", "H100 SXM"), ("H100-SXM", "H100 SXM"), ("A100-SXM4-80GB", "A100 80GB"),
    ("NVIDIA H100", "H100 SXM"), ("GeForce RTX 4090", "RTX 4090"), ("nvidia l40s", "L40S"),
]


@pytest.mark.parametrize(("raw", "canonical"), ALIASES)
def test_every_known_spelling_gets_its_canonical_name(raw, canonical):
    assert reference.canonical_gpu(raw) == canonical
    assert reference.is_known_gpu(canonical)


def test_unknown_names_are_kept_as_given_not_dropped():
    assert reference.canonical_gpu("  Quantum Widget 9000 ") == "Quantum Widget 9000"
    assert not reference.is_known_gpu("Quantum Widget 9000")
    assert reference.canonical_gpu(None) is None


def test_exact_spelling_wins_over_vendor_prefix_stripping():
    assert reference.canonical_gpu("NVIDIA A100") == "A100 40GB"
    assert reference.canonical_gpu("A100") == "A100 80GB"


@pytest.mark.parametrize(("provider", "segment"), [
    ("aws", "hyperscaler"), ("Azure", "hyperscaler"), ("lambda", "neocloud"), ("RunPod", "neocloud"),
    ("vast", "marketplace"), ("akash", "depin"), ("nowhere_cloud", None),
])
def test_providers_map_to_segments(provider, segment):
    assert reference.segment_for(provider) == segment


@pytest.mark.parametrize(("raw", "key"), [
    ("aws", "aws"), ("Vast.ai", "vast"), ("vastai", "vast"), ("Lambda Labs", "lambda"), ("oci", "oracle"),
    ("Google Cloud", "gcp"), ("thundercompute", "thunder_compute"), ("unheard_of_cloud", "unheard_of_cloud"),
])
def test_provider_aliases_resolve_to_one_key(raw, key):
    assert reference.canonical_provider(raw) == key


def test_a_provider_key_wins_over_another_providers_alias(mini_seed):
    mini_seed("gpu_model,aliases\nH100 SXM,\n", "provider,segment,aliases\nvast,marketplace,vastai|lambda\nlambda,neocloud,\n")
    assert reference.canonical_provider("vastai") == "vast"
    assert reference.canonical_provider("lambda") == "lambda"  # a real key wins over another's alias


def test_every_provider_alias_belongs_to_one_provider():
    seen: dict[str, str] = {}
    for key, row in reference.providers().items():
        for alias in filter(None, (row.get("aliases") or "").split("|")):
            assert alias not in reference.providers(), f"{alias} is a provider and an alias of {key}"
            assert seen.setdefault(alias, key) == key, f"alias {alias} of both {seen[alias]} and {key}"
