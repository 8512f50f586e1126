"""Label Studio configs are parsed safely."""

import pytest

from autolabel.segmenter import LabelConfigError, parse_label_config

from .conftest import FIXTURES


def test_parses_the_data_set_config():
    config = parse_label_config((FIXTURES / "basicmotions_label_config.xml").read_text())
    assert config.from_name == "label" and config.to_name == "ts"
    assert config.labels == ("Walk", "Run", "Badminton")
    assert config.channels == ("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")
    assert config.time_column == "time" and config.value_key == "csv_url"


def test_config_without_time_column():
    config = parse_label_config(
        '<View><TimeSeriesLabels name="l" toName="s"><Label value="A"/></TimeSeriesLabels>'
        '<TimeSeries name="s" value="$csv"><Channel column="value"/></TimeSeries></View>'
    )
    assert (
        config.time_column is None and config.channels == ("value",) and config.value_key == "csv"
    )


@pytest.mark.parametrize(
    "xml, fragment",
    [
        ("", "empty"),
        ("<View>", "not valid XML"),
        ("<View/>", "TimeSeriesLabels"),
        (
            '<View><TimeSeriesLabels name="l" toName="s"><Label value="A"/>'
            "</TimeSeriesLabels></View>",
            "no <TimeSeries",
        ),
        (
            '<View><TimeSeriesLabels name="l" toName="s"/><TimeSeries name="s">'
            '<Channel column="x"/></TimeSeries></View>',
            "Label",
        ),
        (
            '<View><TimeSeriesLabels name="l" toName="s"><Label value="A"/></TimeSeriesLabels>'
            '<TimeSeries name="s"/></View>',
            "Channel",
        ),
        ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><View>&lol;</View>', "DOCTYPE"),
    ],
)
def test_bad_configs_are_refused(xml, fragment):
    with pytest.raises(LabelConfigError, match=fragment):
        parse_label_config(xml)
