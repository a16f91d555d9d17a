"""Demo shoppers: declared gender and birth year, a few opted out of tracking; one known login."""

from __future__ import annotations

import random

from django.contrib.auth.hashers import make_password

from kkot.accounts.models import User
from kkot.demo import vocab
from kkot.demo.catalog import DEMO_PASSWORD, SHOPPER_EMAIL


def build_shoppers(rnd: random.Random, n: int) -> list[tuple[int, str, int]]:
    """Create ``n`` shoppers in bulk; returns (user id, gender, birth year) for the event simulation."""
    pw = make_password(DEMO_PASSWORD)
    users = []
    for i in range(n):
        email = SHOPPER_EMAIL if i == 0 else f"shopper{i:05d}@kkot.demo"
        gender = "F" if rnd.random() < 0.62 else ("M" if rnd.random() < 0.95 else "U")
        # age skewed to 20s-40s, as in Korean online shopping
        age = int(min(75, max(16, rnd.gauss(34, 9))))
        users.append(User(
            email=email, username=email, password=pw,
            name=rnd.choice(vocab.SHOPPER_FAMILY) + rnd.choice(vocab.SHOPPER_GIVEN),
            gender=gender, birth_year=2026 - age, marketing_consent=rnd.random() < 0.4,
            tracking_opt_out=(i != 0 and rnd.random() < 0.03),
        ))
    User.objects.bulk_create(users, batch_size=2000)
    rows = User.objects.filter(email__endswith="@kkot.demo", email__startswith="shopper", tracking_opt_out=False)
    return list(rows.values_list("pk", "gender", "birth_year"))
