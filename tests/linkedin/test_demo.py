"""The demo page: on 30/06/2022 it has crossed 500 followers with 77 000 impressions of 90
posts, and it keeps growing; a second load creates nothing."""

import datetime as dt
import io

import pytest
from django.db.models import Sum
from django.utils import timezone

from pilote.linkedin import demo, figures
from pilote.linkedin.models import ContentDay, FollowerDay, Post

pytestmark = pytest.mark.django_db

BILAN = dt.date(2022, 6, 30)


def test_the_demo_figures_at_the_bilan_and_since(world):
    territory = world.territory_a
    territory.slug = demo.HDC_SLUG
    territory.save()
    created = demo.load(out=io.StringIO())
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    days = (yesterday - demo.START).days + 1
    assert FollowerDay.objects.count() == ContentDay.objects.count() == days
    assert created == 2 * days + Post.objects.count()

    followers = figures.Followers(territory)
    at_bilan = followers.at(BILAN)
    assert 500 < at_bilan < 530
    assert followers.at(dt.date(2022, 3, 31)) < 500 or at_bilan > 500
    impressions = ContentDay.objects.filter(date__lte=BILAN).aggregate(n=Sum("impressions"))["n"]
    assert abs(impressions - 77_000) <= 770
    assert Post.objects.filter(created_on__lte=BILAN).count() == 90
    posts = Post.objects.filter(created_on__lte=BILAN).aggregate(n=Sum("impressions"))["n"]
    assert abs(posts - 77_000) <= 770
    # it keeps growing
    assert followers.at(yesterday) > at_bilan + 500
    assert Post.objects.filter(created_on__gt=BILAN).count() > 100

    assert demo.load(out=io.StringIO()) == 0
    assert FollowerDay.objects.count() == days


def test_without_the_demo_territory_nothing_is_loaded(world):
    assert demo.load(out=io.StringIO()) == 0
