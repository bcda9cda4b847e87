import re

import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.inputs.vocab import COLUMNS, MEASURES, load_indicators


def test_vocabulary_is_consistent(vocab, ):
    assert vocab.index.is_unique
    assert set(vocab.measure) <= set(MEASURES)
    assert MEASURES == ("share", "level", "count_stock", "count_flow", "growth_rate", "rank")


def test_every_used_indicator_is_in_vocabulary(vocab):
    from analysis.core import paths
    obs = pd.read_csv(paths.OBSERVATIONS)
    assert set(obs.indicator_id) <= set(vocab.index)


@pytest.mark.parametrize("row,message", [
    ("x,名,X,share,家,,名,X,firms", "measure 'share' needs unit '%'"),
    ("x,名,X,ratio,%,,名,X,firms", "field 'measure' is 'ratio'"),
    ("x,名,X,level,万元,,名,X,firms", "field 'unit' is '万元'"),
    ("x,名,X,rank,家,,名,X,firms", "measure 'rank' goes with unit '名次'"),
    ("x,名,X,level,名次,,名,X,firms", "measure 'rank' goes with unit '名次'"),
    ("x,名,X,level,亿元,,名,X,labs", "(x) field 'family' is 'labs'; expected one of ('rd_input'"),
    ("x,名,X,level,亿元,,名,X,", "(x) field 'family' is ''; expected one of"),
])
def test_bad_vocabulary_rows(tmp_path, row, message):
    f = tmp_path / "indicators.csv"
    f.write_text(",".join(COLUMNS) + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)) as err:
        load_indicators(f)
    assert "indicators.csv: line 2" in str(err.value)
