"""Where a decision applies: ISO 3166-1 alpha-2 codes of the European Economic Area
(the DSA Transparency Database's territorial scope keys)."""

EU = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
      "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")
EEA = EU + ("IS", "LI", "NO")


def normalise(codes) -> list[str]:
    """``codes`` upper-cased, de-duplicated, in EEA order; every EEA country when
    empty. Raises ``ValueError`` naming an unknown code."""
    wanted = {str(c).strip().upper() for c in (codes or ()) if str(c).strip()}
    unknown = wanted - set(EEA)
    if unknown:
        raise ValueError(f"Not an EEA country code: {', '.join(sorted(unknown))}")
    return [c for c in EEA if c in wanted] if wanted else list(EEA)
