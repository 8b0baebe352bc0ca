"""Texts the tests compare against verbatim."""

# Kesimpta's criterion 1 as policies/data/kesimpta.yaml states it (loaded, shown on pages).
SEED_CRITERION = (
    "If the patient is initiating treatment or requires additional induction dosing, "
    "approve a one-time override of 4 pens as a 28-day supply at retail or 6 pens as an "
    "84-day supply at home delivery."
)
