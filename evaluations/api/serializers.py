"""What the API returns and accepts. Numbers with decimals are strings ("3.12"): the
index and the aspect and domain indices with two decimals as the pages show them,
indicator values as stored ("3", "1.26"); empty figures are null (README, "Arti angka")."""

from rest_framework import serializers

from ..models import (
    Aspect,
    Domain,
    Indicator,
    IndicatorItem,
    Instrument,
    LevelCriterion,
    Period,
    PredikatBand,
)
from ..services.disclosure import review_published


class PemdaSerializer(serializers.Serializer):
    kode = serializers.CharField()
    nama = serializers.CharField()
    jenis = serializers.CharField()
    provinsi = serializers.CharField(source="parent.kode", allow_null=True, default=None)


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField()
    instrumen = serializers.CharField(source="instrument.kode")
    hasil_diumumkan = serializers.SerializerMethodField(
        help_text="Document review has ended (or the period is final): the OPDs see the "
        "evaluators' figures."
    )

    class Meta:
        model = Period
        fields = [
            "tahun",
            "triwulan",
            "label",
            "status",
            "tahap",
            "instrumen",
            "zona_hijau_dari",
            "zona_kuning_dari",
            "hasil_diumumkan",
        ]

    def get_hasil_diumumkan(self, period) -> bool:
        return review_published(period)


class FigureFields(serializers.Serializer):
    """The figures of one OPD in one period, as every page and export shows them.
    `first`: fields of a subclass shown before the figures."""

    first = ()

    def get_fields(self):
        fields = super().get_fields()
        order = [*self.first, *(name for name in fields if name not in self.first)]
        return {name: fields[name] for name in order}

    indeks = serializers.CharField(allow_null=True, help_text="2 decimals; null in progress")
    predikat = serializers.CharField(allow_null=True)
    zona = serializers.ChoiceField(choices=["merah", "kuning", "hijau"], allow_null=True)
    peringkat = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(
        choices=["proses", "sementara", "final"],
        help_text="proses: in progress (no figures); sementara: provisional; final",
    )
    aspek = serializers.DictField(
        child=serializers.CharField(allow_null=True), help_text="aspect number → index"
    )
    domain = serializers.DictField(
        child=serializers.CharField(allow_null=True), help_text="domain number → index"
    )


class ResultSerializer(FigureFields):
    first = ("kode_opd", "nama")

    kode_opd = serializers.CharField()
    nama = serializers.CharField()
    indikator = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        help_text="indicator code (or number) → the value that counts",
    )


class AssessmentSerializer(FigureFields):
    first = ("tahun", "triwulan", "periode")

    tahun = serializers.IntegerField()
    triwulan = serializers.IntegerField(allow_null=True)
    periode = serializers.CharField()
    peringkat_dari = serializers.IntegerField(help_text="how many OPDs the period ranks")
    indeks_mandiri = serializers.CharField(
        allow_null=True, help_text="the OPD's own claim: never ranked or zoned"
    )
    jumlah_indikator = serializers.IntegerField()
    tervalidasi = serializers.IntegerField()
    terisi = serializers.IntegerField()
    menunggu_eksternal = serializers.IntegerField()
    status_mandiri = serializers.CharField()


class KabupatenSerializer(serializers.Serializer):
    kode = serializers.CharField()
    nama = serializers.CharField()
    peringkat = serializers.IntegerField(allow_null=True)
    rata_rata = serializers.CharField(allow_null=True, help_text="average index of its OPDs")
    predikat = serializers.CharField(allow_null=True)
    zona = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    jumlah_opd = serializers.IntegerField()
    dinilai = serializers.IntegerField(help_text="OPDs with figures")
    indeks_resmi = serializers.CharField(allow_null=True, help_text="official national index")


class BandSerializer(serializers.ModelSerializer):
    class Meta:
        model = PredikatBand
        fields = ["nama", "batas_bawah"]


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["nomor", "nama", "bobot"]


class AspectSerializer(serializers.ModelSerializer):
    domain = serializers.IntegerField(source="domain.nomor", allow_null=True, default=None)

    class Meta:
        model = Aspect
        fields = ["nomor", "nama", "bobot", "domain"]


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = LevelCriterion
        fields = ["level", "nama", "kriteria"]


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorItem
        fields = ["nomor", "nama", "bobot", "kriteria"]


class IndicatorSerializer(serializers.ModelSerializer):
    aspek = serializers.IntegerField(source="aspect.nomor")
    kriteria = CriterionSerializer(source="criteria", many=True)
    item = ItemSerializer(source="items", many=True)

    class Meta:
        model = Indicator
        fields = [
            "nomor",
            "kode",
            "nama",
            "bobot",
            "aspek",
            "skala",
            "sumber_eksternal",
            "nilai_bawaan",
            "kriteria",
            "item",
        ]


class InstrumentSerializer(serializers.ModelSerializer):
    pemda = serializers.CharField(source="pemda.kode", allow_null=True, default=None)
    dasar = serializers.CharField(source="dasar.kode", allow_null=True, default=None)
    predikat = BandSerializer(source="bands", many=True)
    domain = DomainSerializer(source="domains", many=True)
    aspek = AspectSerializer(source="aspects", many=True)
    indikator = IndicatorSerializer(source="indicators", many=True)

    class Meta:
        model = Instrument
        fields = [
            "kode",
            "nama",
            "keterangan",
            "status",
            "nilai_desimal",
            "pemda",
            "dasar",
            "predikat",
            "domain",
            "aspek",
            "indikator",
        ]


class ExternalValueInput(serializers.Serializer):
    kode_opd = serializers.CharField(max_length=30)
    tahun = serializers.IntegerField(min_value=2000, max_value=2100)
    triwulan = serializers.IntegerField(min_value=1, max_value=4, required=False, allow_null=True)
    kode_indikator = serializers.CharField(max_length=12, help_text="I5, or the number")
    nilai = serializers.CharField(max_length=10, help_text='1.00–5.00 ("1,26" or "1.26")')
    skor_sumber = serializers.CharField(max_length=40, required=False, allow_blank=True)
    tanggal = serializers.DateField(help_text="date of the value in the source index")


class ExternalValueOutput(serializers.Serializer):
    kode_opd = serializers.CharField()
    periode = serializers.CharField()
    kode_indikator = serializers.CharField()
    nilai = serializers.CharField()
    skor_sumber = serializers.CharField()
    tanggal = serializers.DateField()
    dicatat_oleh = serializers.CharField()
