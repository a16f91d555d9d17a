"""kkot.ml.vision: product image checks, Korean colour naming, image embeddings, visual search, outfits.

Django-free. The platform calls:

- :func:`load_image` / :class:`ImageLoadError` - safe decoding of every uploaded image;
- :func:`check_image` / :func:`check_images` - the seller-facing checks (:class:`CheckResult`);
- :func:`dominant_colours` - Korean colour names with shares;
- :class:`VisualEncoder` (+ :func:`default_embedder`) and :class:`VectorIndex` - search by photo;
- :class:`CategoryPredictor` / :func:`predict_category` - title + image -> top-3 categories;
- :func:`suggest_outfit` - complementary items with colour-harmony reasons;
- catalog-trained heads: :class:`MetricHead` (search vectors from the platform's categories, joined by
  :func:`search_vectors`) and :class:`CatalogColourModel` (or the plain :class:`ColourClassifier`) over
  :func:`colour_histograms` and the stored search vector (colour naming learned from sellers' colour labels),
  and :class:`CatalogSearchHead` (the platform's search vectors learnt from its categories and colours).

Heavy parts (the CNN weights, faiss) load lazily on first use.
"""

from kkot.ml.vision.checks import CheckResult, ImageReport, check_image, check_images
from kkot.ml.vision.colour import COLOUR_NAMES, ColourClassifier, ColourShare, dominant_colours
from kkot.ml.vision.io import ImageLoadError, LoadedImage, load_image

__all__ = [
    "COLOUR_NAMES",
    "CatalogColourModel",
    "CatalogSearchHead",
    "CategoryPredictor",
    "CheckResult",
    "ColourClassifier",
    "ColourShare",
    "ImageLoadError",
    "ImageReport",
    "LoadedImage",
    "MetricHead",
    "VectorIndex",
    "VisualEncoder",
    "check_image",
    "check_images",
    "colour_histograms",
    "default_embedder",
    "dominant_colours",
    "load_image",
    "predict_category",
    "search_vectors",
    "suggest_outfit",
]


def __getattr__(name: str):  # lazy: keep `import kkot.ml.vision` light
    if name in ("VisualEncoder", "default_embedder"):
        from kkot.ml.vision import embedding

        return getattr(embedding, name)
    if name == "VectorIndex":
        from kkot.ml.vision.index import VectorIndex

        return VectorIndex
    if name in ("CategoryPredictor", "predict_category"):
        from kkot.ml.vision import category

        return getattr(category, name)
    if name in ("MetricHead", "search_vectors"):
        from kkot.ml.vision import metric

        return getattr(metric, name)
    if name == "CatalogSearchHead":
        from kkot.ml.vision.catalog_search import CatalogSearchHead

        return CatalogSearchHead
    if name in ("colour_histograms", "CatalogColourModel"):
        from kkot.ml.vision import colour_learn

        return getattr(colour_learn, name)
    if name == "suggest_outfit":
        from kkot.ml.vision.outfit import suggest_outfit

        return suggest_outfit
    raise AttributeError(name)
